//! The apps a portal can offer, a fixed catalogue, and sets of them: a tenant's plan (what
//! the platform operator sold it) and a portal's apps (what the provider shares in it, always
//! within the plan). A set is parsed once, deduplicated and kept in catalogue order.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One feature of the catalogue. The codes are stored (`schema/0007_plans_apps.sql` checks
/// them) and are the API's words, so they never change once shipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum App {
    /// The ticket list and ticket pages.
    Tickets,
    /// "Submit a support request": the form that opens a ticket.
    SupportForm,
    /// The fleet list and each machine's detail page.
    Equipment,
    Activity,
    Reports,
    Documents,
}

impl App {
    /// The catalogue, in the order sets are listed and navigation shows them.
    pub const ALL: [App; 6] =
        [App::Tickets, App::SupportForm, App::Equipment, App::Activity, App::Reports, App::Documents];

    pub fn code(self) -> &'static str {
        match self {
            App::Tickets => "tickets",
            App::SupportForm => "support_form",
            App::Equipment => "equipment",
            App::Activity => "activity",
            App::Reports => "reports",
            App::Documents => "documents",
        }
    }

    pub fn parse(code: &str) -> Result<App, UnknownApp> {
        App::ALL.into_iter().find(|app| app.code() == code).ok_or_else(|| UnknownApp(code.chars().take(40).collect()))
    }

    /// Its bit in an `AppSet`.
    fn bit(self) -> u8 {
        match self {
            App::Tickets => 1,
            App::SupportForm => 1 << 1,
            App::Equipment => 1 << 2,
            App::Activity => 1 << 3,
            App::Reports => 1 << 4,
            App::Documents => 1 << 5,
        }
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code outside the catalogue (cut to 40 characters for the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownApp(String);

impl fmt::Display for UnknownApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not an app; the apps are ", self.0)?;
        f.write_str(&App::ALL.map(App::code).join(", "))
    }
}

/// An app a set holds that the plan does not: the message names the feature, as the
/// provider's staff will read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotInPlan(pub App);

impl fmt::Display for NotInPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not in this tenant's plan", self.0)
    }
}

/// A set of apps. A bit set: copying it is free, duplicates cannot exist, and every listing
/// comes out in catalogue order whatever order the input had.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AppSet(u8);

impl AppSet {
    pub const EMPTY: AppSet = AppSet(0);

    /// The whole catalogue: the plan of a tenant nobody restricted.
    pub fn all() -> AppSet {
        App::ALL.into_iter().collect()
    }

    /// What a new portal offers when the request names no apps: what every portal offered
    /// before apps existed (the ticket pages and the support form), as far as the plan has them.
    pub fn portal_default(plan: AppSet) -> AppSet {
        let default: AppSet = [App::Tickets, App::SupportForm].into_iter().collect();
        default.intersection(plan).without_orphans()
    }

    /// The codes of a JSON array, each parsed; duplicates collapse. The first unknown code
    /// is the error.
    pub fn parse_codes<S: AsRef<str>>(codes: &[S]) -> Result<AppSet, UnknownApp> {
        codes.iter().map(|code| App::parse(code.as_ref())).collect()
    }

    /// A stored JSON array text (a column of `json_group_array`).
    pub fn from_json_text(text: &str) -> Result<AppSet, String> {
        let codes: Vec<String> = serde_json::from_str(text).map_err(|err| err.to_string())?;
        AppSet::parse_codes(&codes).map_err(|err| err.to_string())
    }

    /// The JSON array text of the codes, the form SQL's `json_each` reads.
    pub fn to_json_text(self) -> String {
        serde_json::Value::from(self.codes()).to_string()
    }

    pub fn contains(self, app: App) -> bool {
        self.0 & app.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The apps in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = App> {
        App::ALL.into_iter().filter(move |app| self.contains(*app))
    }

    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(App::code).collect()
    }

    #[must_use]
    pub fn intersection(self, other: AppSet) -> AppSet {
        AppSet(self.0 & other.0)
    }

    /// The apps of `self` that `other` lacks.
    #[must_use]
    pub fn minus(self, other: AppSet) -> AppSet {
        AppSet(self.0 & !other.0)
    }

    /// Whether every app of this set is in `plan`; else the first one (in catalogue order)
    /// that is not, so the refusal can name it.
    pub fn within(self, plan: AppSet) -> Result<(), NotInPlan> {
        self.minus(plan).iter().next().map_or(Ok(()), |app| Err(NotInPlan(app)))
    }

    /// The support form files a ticket and then shows the person its ticket page; without the
    /// ticket pages that page would be a 404, so a portal offers the form only with them.
    pub fn check_portal_rules(self) -> Result<(), String> {
        if self.contains(App::SupportForm) && !self.contains(App::Tickets) {
            return Err("support_form needs tickets: the form shows its ticket once it is sent".into());
        }
        Ok(())
    }

    #[must_use]
    fn without_orphans(self) -> AppSet {
        if self.check_portal_rules().is_ok() {
            self
        } else {
            self.minus(AppSet::from_iter([App::SupportForm]))
        }
    }
}

impl FromIterator<App> for AppSet {
    fn from_iter<I: IntoIterator<Item = App>>(apps: I) -> AppSet {
        AppSet(apps.into_iter().fold(0, |bits, app| bits | app.bit()))
    }
}

impl Serialize for AppSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.codes().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AppSet, D::Error> {
        let codes = Vec::<String>::deserialize(deserializer)?;
        AppSet::parse_codes(&codes).map_err(serde::de::Error::custom)
    }
}

/// For `#[serde(deserialize_with)]` on a row whose column is a JSON array text.
pub fn from_json_column<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AppSet, D::Error> {
    let text = String::deserialize(deserializer)?;
    AppSet::from_json_text(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_round_trips_through_its_code_and_nothing_else_parses() {
        for app in App::ALL {
            assert_eq!(App::parse(app.code()), Ok(app));
        }
        let err = App::parse("billing").unwrap_err().to_string();
        assert!(err.starts_with("\"billing\" is not an app"), "{err}");
        assert!(err.contains("support_form"), "the message lists the catalogue: {err}");
        assert!(App::parse("Tickets").is_err(), "codes are exact");
    }

    #[test]
    fn a_set_is_deduplicated_and_listed_in_catalogue_order() {
        let set = AppSet::parse_codes(&["reports", "tickets", "reports", "equipment"]).unwrap();
        assert_eq!(set.codes(), ["tickets", "equipment", "reports"]);
        assert_eq!(set.to_json_text(), r#"["tickets","equipment","reports"]"#);
        assert_eq!(AppSet::from_json_text(&set.to_json_text()), Ok(set));
        assert_eq!(AppSet::from_json_text("[]"), Ok(AppSet::EMPTY));
        assert!(AppSet::from_json_text(r#"["tickets","nope"]"#).is_err());
        assert!(AppSet::from_json_text("tickets").is_err());
    }

    #[test]
    fn serde_reads_and_writes_the_set_as_an_array_of_codes() {
        let set: AppSet = serde_json::from_str(r#"["documents","tickets"]"#).unwrap();
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["tickets","documents"]"#);
        assert!(serde_json::from_str::<AppSet>(r#"["tickets","pizza"]"#).is_err());
    }

    #[test]
    fn a_set_outside_the_plan_names_the_first_missing_feature() {
        let plan = AppSet::parse_codes(&["tickets", "support_form"]).unwrap();
        let asked = AppSet::parse_codes(&["reports", "equipment", "tickets"]).unwrap();
        assert_eq!(asked.within(plan), Err(NotInPlan(App::Equipment)));
        assert_eq!(NotInPlan(App::Equipment).to_string(), "equipment is not in this tenant's plan");
        assert_eq!(plan.within(plan), Ok(()));
        assert_eq!(AppSet::EMPTY.within(AppSet::EMPTY), Ok(()));
        assert_eq!(asked.minus(plan).codes(), ["equipment", "reports"]);
    }

    #[test]
    fn a_new_portal_gets_tickets_and_the_support_form_as_far_as_the_plan_allows() {
        assert_eq!(AppSet::portal_default(AppSet::all()).codes(), ["tickets", "support_form"]);
        let tickets_only: AppSet = [App::Tickets, App::Equipment].into_iter().collect();
        assert_eq!(AppSet::portal_default(tickets_only).codes(), ["tickets"]);
        let form_only: AppSet = [App::SupportForm].into_iter().collect();
        assert!(AppSet::portal_default(form_only).is_empty(), "the form alone would lead to a 404");
    }

    #[test]
    fn the_support_form_is_offered_only_with_the_ticket_pages() {
        let form_only: AppSet = [App::SupportForm].into_iter().collect();
        assert!(form_only.check_portal_rules().unwrap_err().contains("support_form needs tickets"));
        assert!(AppSet::all().check_portal_rules().is_ok());
        assert!(AppSet::EMPTY.check_portal_rules().is_ok());
    }
}
