//! A portal's set-up beyond its apps: the start page recipients land on after signing in and
//! the order of the navigation. Both are drawn from the set-up's apps, so a set-up can never
//! point at a page its portal does not have; the navigation's own links (`nav_links`) follow
//! the apps. Templates carry the same set-up for many portals.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::apps::{App, AppSet};
use super::nav_links::NavLinks;

/// The page of an app a start page may be: the app's own first page.
fn app_path(app: App) -> &'static str {
    match app {
        App::Tickets => "/tickets",
        App::SupportForm => "/tickets/new",
        App::Equipment => "/equipment",
        App::Activity => "/activity",
        App::Reports => "/reports",
        App::Documents => "/documents",
    }
}

/// Where a recipient lands after signing in when they asked for no page: the portal's home
/// (`/`) or the first page of one of the set-up's apps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StartPage(Option<App>);

impl StartPage {
    pub const HOME: StartPage = StartPage(None);

    /// The first page of `app`.
    pub fn of(app: App) -> StartPage {
        StartPage(Some(app))
    }

    /// A path of the home page or of an app in `apps`; the error says which paths would do.
    pub fn parse(raw: &str, apps: AppSet) -> Result<StartPage, String> {
        if raw == "/" {
            return Ok(StartPage::HOME);
        }
        match App::ALL.into_iter().find(|app| app_path(*app) == raw) {
            Some(app) if apps.contains(app) => Ok(StartPage(Some(app))),
            Some(app) => Err(format!("{raw} is a page of {app}, which this set-up does not include")),
            None => {
                let paths: Vec<&str> = std::iter::once("/").chain(apps.iter().map(app_path)).collect();
                Err(format!("must be one of {}", paths.join(", ")))
            }
        }
    }

    /// A stored path (NULL: home). One that no longer parses is the home page.
    pub fn from_stored(raw: Option<&str>) -> StartPage {
        raw.and_then(|raw| StartPage::parse(raw, AppSet::all()).ok()).unwrap_or_default()
    }

    pub fn path(self) -> &'static str {
        self.0.map_or("/", app_path)
    }

    pub fn app(self) -> Option<App> {
        self.0
    }

    /// Whether the page still exists with `apps`.
    pub fn fits(self, apps: AppSet) -> bool {
        self.0.is_none_or(|app| apps.contains(app))
    }
}

impl fmt::Display for StartPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

impl Serialize for StartPage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.path())
    }
}

impl<'de> Deserialize<'de> for StartPage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StartPage, D::Error> {
        let raw = String::deserialize(deserializer)?;
        StartPage::parse(&raw, AppSet::all()).map_err(serde::de::Error::custom)
    }
}

/// The apps of the navigation, in the order shown: each at most once, each of the set-up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Navigation(Vec<App>);

impl Navigation {
    /// Codes in menu order; an unknown code, a repeated one or an app outside `apps` is the
    /// error, named.
    pub fn parse<S: AsRef<str>>(codes: &[S], apps: AppSet) -> Result<Navigation, String> {
        let mut order = Vec::new();
        for code in codes {
            let app = App::parse(code.as_ref()).map_err(|err| err.to_string())?;
            if order.contains(&app) {
                return Err(format!("{app} is listed twice"));
            }
            if !apps.contains(app) {
                return Err(format!("{app} is not among this set-up's apps"));
            }
            order.push(app);
        }
        Ok(Navigation(order))
    }

    /// Every app of the set, in catalogue order: the navigation of a set-up that chose none.
    pub fn of(apps: AppSet) -> Navigation {
        Navigation(apps.iter().collect())
    }

    /// A stored JSON array text; None (or a text that no longer parses) is `of(apps)`. Apps
    /// the set no longer has are left out.
    pub fn from_stored(text: Option<&str>, apps: AppSet) -> Navigation {
        let codes: Option<Vec<String>> = text.and_then(|t| serde_json::from_str(t).ok());
        match codes {
            Some(codes) => {
                Navigation(codes.iter().filter_map(|c| App::parse(c).ok()).filter(|app| apps.contains(*app)).collect())
            }
            None => Navigation::of(apps),
        }
    }

    /// The same order without the apps `apps` lacks (a custom portal that lost an app).
    #[must_use]
    pub fn within(&self, apps: AppSet) -> Navigation {
        Navigation(self.0.iter().copied().filter(|app| apps.contains(*app)).collect())
    }

    pub fn apps(&self) -> &[App] {
        &self.0
    }

    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|app| app.code()).collect()
    }

    pub fn to_json_text(&self) -> String {
        serde_json::Value::from(self.codes()).to_string()
    }
}

impl Serialize for Navigation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.codes().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Navigation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Navigation, D::Error> {
        let codes = Vec::<String>::deserialize(deserializer)?;
        Navigation::parse(&codes, AppSet::all()).map_err(serde::de::Error::custom)
    }
}

/// Everything a template decides for its portals, and a custom portal for itself. Serialized,
/// it is the set-up part of a template (or version) the API shows and the audit log keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setup {
    pub apps: AppSet,
    pub theme_id: Option<String>,
    pub start_page: StartPage,
    pub navigation: Navigation,
    /// The provider's own links, shown after the apps.
    pub nav_links: NavLinks,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(codes: &[&str]) -> AppSet {
        AppSet::parse_codes(codes).unwrap()
    }

    #[test]
    fn a_start_page_is_home_or_a_page_of_an_app_the_set_up_includes() {
        let apps = set(&["tickets", "equipment"]);
        assert_eq!(StartPage::parse("/", apps).unwrap().path(), "/");
        assert_eq!(StartPage::parse("/tickets", apps).unwrap().path(), "/tickets");
        assert_eq!(StartPage::parse("/equipment", apps).unwrap().app(), Some(App::Equipment));
        let err = StartPage::parse("/reports", apps).unwrap_err();
        assert!(err.contains("reports, which this set-up does not include"), "{err}");
        let err = StartPage::parse("https://evil.example/", apps).unwrap_err();
        assert_eq!(err, "must be one of /, /tickets, /equipment");
        assert!(StartPage::parse("/tickets/", apps).is_err(), "paths are exact");
    }

    #[test]
    fn a_stored_start_page_falls_back_to_home_and_knows_whether_it_still_fits() {
        assert_eq!(StartPage::from_stored(None), StartPage::HOME);
        assert_eq!(StartPage::from_stored(Some("/nowhere")), StartPage::HOME);
        let tickets = StartPage::from_stored(Some("/tickets"));
        assert!(tickets.fits(set(&["tickets"])));
        assert!(!tickets.fits(set(&["equipment"])));
        assert!(StartPage::HOME.fits(AppSet::EMPTY));
    }

    #[test]
    fn navigation_keeps_its_order_and_takes_each_app_of_the_set_up_once() {
        let apps = set(&["tickets", "support_form", "equipment"]);
        let nav = Navigation::parse(&["equipment", "tickets"], apps).unwrap();
        assert_eq!(nav.codes(), ["equipment", "tickets"]);
        assert_eq!(nav.to_json_text(), r#"["equipment","tickets"]"#);
        assert!(Navigation::parse(&["tickets", "tickets"], apps).unwrap_err().contains("twice"));
        assert!(Navigation::parse(&["reports"], apps).unwrap_err().contains("not among"));
        assert!(Navigation::parse(&["pizza"], apps).unwrap_err().contains("is not an app"));
        assert_eq!(Navigation::of(apps).codes(), ["tickets", "support_form", "equipment"]);
    }

    #[test]
    fn stored_navigation_drops_apps_the_portal_no_longer_has() {
        let apps = set(&["tickets"]);
        assert_eq!(Navigation::from_stored(Some(r#"["equipment","tickets"]"#), apps).codes(), ["tickets"]);
        assert_eq!(Navigation::from_stored(None, apps).codes(), ["tickets"]);
        let nav = Navigation::parse(&["equipment", "tickets"], AppSet::all()).unwrap();
        assert_eq!(nav.within(apps).codes(), ["tickets"]);
    }
}
