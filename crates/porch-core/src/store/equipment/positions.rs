//! Parameter positions by name. A statement assembled from fragments names its parameters
//! once, in one list numbered 1, 2, 3, ... (checked when compiling); its SQL says
//! `pos!(family, name)` and its values are bound by the same names (`Binds`), so adding a
//! parameter cannot shift another's number, and no number is counted by hand twice.

use crate::store::{Statement, Value};

/// Declares a statement's parameters: `$family!(name)` is the position of `name`, an integer
/// literal (`pos!` makes it SQL text, `Binds::at` binds a value there). The positions must be
/// 1, 2, 3, ... in the order listed: a gap or a number used twice does not compile.
macro_rules! positions {
    ($(#[$doc:meta])* $family:ident { $($name:ident = $position:literal),+ $(,)? }) => {
        $(#[$doc])*
        macro_rules! $family {
            $(($name) => { $position };)+
        }
        const _: () = assert!(
            $crate::store::equipment::positions::consecutive(&[$($position),+]),
            concat!("the positions of `", stringify!($family), "` must run 1, 2, 3, ... as listed")
        );
    };
}
pub(super) use positions;

/// The SQL text (`?N`) of parameter `$name` of `$family` (`positions!`).
macro_rules! pos {
    ($family:ident, $name:ident) => {
        concat!("?", $family!($name))
    };
}
pub(super) use pos;

/// Whether `positions` are 1, 2, 3, ... in order.
pub(super) const fn consecutive(positions: &[usize]) -> bool {
    let mut rest = positions;
    let mut expected = 1;
    while let [first, tail @ ..] = rest {
        if *first != expected {
            return false;
        }
        expected += 1;
        rest = tail;
    }
    true
}

/// A statement's values, each placed at its named position.
#[derive(Default)]
pub(super) struct Binds(Vec<Option<Value>>);

impl Binds {
    /// Binds `value` at `position` (a `$family!(name)`).
    pub(super) fn at(mut self, position: usize, value: impl Into<Value>) -> Binds {
        let index = position.saturating_sub(1);
        if self.0.len() <= index {
            self.0.resize(index + 1, None);
        }
        if let Some(slot) = self.0.get_mut(index) {
            debug_assert!(slot.is_none(), "?{position} is bound twice");
            *slot = Some(value.into());
        }
        self
    }

    /// Binds `values` from `first` on, one position each (a run another function lists, as
    /// `shared_params` does the viewer's).
    pub(super) fn run(self, first: usize, values: Vec<Value>) -> Binds {
        values.into_iter().zip(first..).fold(self, |binds, (value, position)| binds.at(position, value))
    }

    /// The statement. Its values stop at the first position left unbound, so a forgotten
    /// bind is never read as NULL: the database refuses a statement with fewer values than
    /// positions (D1 and `SQLite` both count them), a loud error rather than a wrong answer.
    /// The tests, built with debug assertions, run every statement of this module and so
    /// catch one before that.
    pub(super) fn statement(self, sql: &'static str) -> Statement {
        debug_assert!(self.0.iter().all(Option::is_some), "a parameter of {sql:?} is not bound");
        Statement::new(sql, self.values())
    }

    /// The values up to the first position left unbound.
    fn values(self) -> Vec<Value> {
        self.0.into_iter().map_while(|value| value).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_must_run_from_one_without_gaps_or_repeats() {
        assert!(consecutive(&[1, 2, 3]));
        assert!(!consecutive(&[2, 3]));
        assert!(!consecutive(&[1, 3]));
        assert!(!consecutive(&[1, 1, 2]));
    }

    #[test]
    fn values_are_bound_at_their_positions_whatever_the_order_of_binding() {
        let statement =
            Binds::default().at(2, "b").at(1, "a").run(3, vec![Value::Int(3), Value::Int(4)]).statement("x");
        assert_eq!(statement.params, vec![Value::from("a"), Value::from("b"), Value::Int(3), Value::Int(4)]);
    }

    #[test]
    fn a_position_left_unbound_ends_the_values_instead_of_reading_as_null() {
        assert_eq!(Binds::default().at(1, "a").at(3, "c").values(), vec![Value::from("a")]);
    }
}
