//! A portal page's query string: each parameter parsed where the page needs it, and every
//! bad one noted, so the page answers one branded 400 naming them all with what each allows,
//! in the reader's language (`views::errors`). Only a hand-edited or stale URL has them: the
//! pages' own links and forms never do, and a silently ignored filter would show a list that
//! is not what the address says.

use crate::http::Request;
use crate::i18n::{Language, Translations as _};
use porch_types::error::{AppError, FieldError};

/// What a parameter allows, as the error page says it.
#[derive(Clone, Copy)]
pub enum Allowed<'v> {
    /// One of these words.
    OneOf(&'v [&'v str]),
    /// A date written `YYYY-MM-DD`.
    Date,
    /// A value the page's own links and choices give (a cursor, a group, a machine).
    FromLink,
    /// `to` comes before `from`.
    NotBeforeFrom,
    /// A report of at most this many days.
    MaxDays(i64),
    /// The whole fleet by day: at most this many days (weeks or one machine go further).
    FleetMaxDays(i64),
    /// Not together with this other parameter.
    NotWith(&'v str),
}

/// The query of one request, read in the reader's language.
pub struct Query<'a> {
    req: &'a Request,
    lang: Language,
    problems: Vec<FieldError>,
}

impl<'a> Query<'a> {
    pub fn new(req: &'a Request, lang: Language) -> Query<'a> {
        Query { req, lang, problems: Vec::new() }
    }

    /// The parameter's value; an empty one is none (a filter's "all" choice sends it empty).
    pub fn get(&self, name: &str) -> Option<String> {
        self.req.query_param(name).filter(|v| !v.is_empty())
    }

    /// The parameter, parsed; a value `parse` refuses is noted and read as absent.
    pub fn parse<T>(&mut self, name: &str, allowed: Allowed<'_>, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let raw = self.get(name)?;
        let parsed = parse(&raw);
        if parsed.is_none() {
            self.refuse(name, allowed);
        }
        parsed
    }

    /// Notes a parameter whose value breaks a rule the page checks itself.
    pub fn refuse(&mut self, name: &str, allowed: Allowed<'_>) {
        if self.problems.iter().all(|p| p.field != name) {
            self.problems.push(FieldError::new(name, self.say(&allowed)));
        }
    }

    /// `value`, or every bad parameter as one error: `AppError::Invalid`, which a page
    /// request answers with the branded 400.
    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Invalid(self.problems))
        }
    }

    fn say(&self, allowed: &Allowed<'_>) -> String {
        let t = self.lang.strings();
        match allowed {
            Allowed::OneOf(words) => format!("{} {}", t.query_one_of, words.join(", ")),
            Allowed::Date => t.query_date.to_owned(),
            Allowed::FromLink => t.query_from_link.to_owned(),
            Allowed::NotBeforeFrom => t.query_not_before_from.to_owned(),
            Allowed::MaxDays(days) => (t.query_max_days)(*days),
            Allowed::FleetMaxDays(days) => (t.query_fleet_max_days)(*days),
            Allowed::NotWith(other) => format!("{} {other}", t.query_not_with),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn every_bad_parameter_is_named_once_with_what_it_allows_and_empty_ones_are_absent() {
        let req = Request::new(Method::Get, "/x?sort=up&from=yesterday&sort=down&group=&by=day");
        let mut query = Query::new(&req, Language::En);
        assert_eq!(query.parse("sort", Allowed::OneOf(&["activity", "created"]), |_| None::<u8>), None);
        assert_eq!(query.parse("from", Allowed::Date, |_| None::<u8>), None);
        assert_eq!(query.parse("group", Allowed::FromLink, |_| None::<u8>), None, "empty is absent, not bad");
        assert_eq!(query.parse("by", Allowed::OneOf(&["day"]), |raw| (raw == "day").then_some(1)), Some(1));
        query.refuse("from", Allowed::MaxDays(367));
        let Err(AppError::Invalid(fields)) = query.finish(()) else { panic!("refused") };
        let named: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(
            named,
            [("sort", "must be one of: activity, created"), ("from", "must be a date written YYYY-MM-DD")]
        );
    }

    #[test]
    fn each_language_says_what_a_parameter_allows() {
        let req = Request::new(Method::Get, "/x?to=2026");
        for (lang, words) in [(Language::En, "367 days"), (Language::Da, "367 dage"), (Language::Nb, "367 dager")] {
            let mut query = Query::new(&req, lang);
            query.refuse("to", Allowed::MaxDays(367));
            let Err(AppError::Invalid(fields)) = query.finish(()) else { panic!("refused") };
            assert!(fields.first().is_some_and(|f| f.message.contains(words)), "{lang:?}: {fields:?}");
        }
    }
}
