//! UI languages (English, Danish, Norwegian Bokmål), their strings, and Accept-Language choice.

mod account;
mod activity;
mod audit;
mod console;
mod deliveries;
mod documents;
mod equipment;
mod fleet;
pub mod format;
mod keys;
mod portal_setup;
mod portal_sso;
mod portal_tickets;
mod sso;
mod staff_sso;
mod templates;
mod tenant_settings;
mod themes;
mod tickets;
mod wizard;

pub use porch_types::language::Language;

pub use account::AccountStrings;
pub use activity::ActivityStrings;
pub use audit::AuditStrings;
pub use console::ConsoleStrings;
pub use deliveries::DeliveryStrings;
pub use documents::DocumentStrings;
pub use equipment::EquipmentStrings;
pub use fleet::FleetStrings;
pub use format::Formats;
pub use keys::KeyStrings;
pub use portal_setup::PortalSetupStrings;
pub use portal_sso::PortalSsoStrings;
pub use portal_tickets::PortalTicketStrings;
pub use sso::SsoStrings;
pub use staff_sso::StaffSsoStrings;
pub use templates::TemplateStrings;
pub use tenant_settings::TenantSettingStrings;
pub use themes::ThemeStrings;
pub use tickets::{status_label, TicketStrings};
pub use wizard::WizardStrings;

/// A language's strings, one table per part of the product. A trait because `Language` is a
/// domain value of `porch_types`, below the strings.
pub trait Translations {
    fn account(self) -> &'static AccountStrings;
    fn sso(self) -> &'static SsoStrings;
    fn activity(self) -> &'static ActivityStrings;
    fn console(self) -> &'static ConsoleStrings;
    fn documents(self) -> &'static DocumentStrings;
    fn fleet(self) -> &'static FleetStrings;
    fn tickets(self) -> &'static TicketStrings;
    fn wizard(self) -> &'static WizardStrings;
    fn themes(self) -> &'static ThemeStrings;
    fn keys(self) -> &'static KeyStrings;
    fn audit(self) -> &'static AuditStrings;
    fn templates(self) -> &'static TemplateStrings;
    fn deliveries(self) -> &'static DeliveryStrings;
    fn equipment(self) -> &'static EquipmentStrings;
    fn tenant_settings(self) -> &'static TenantSettingStrings;
    fn portal_tickets(self) -> &'static PortalTicketStrings;
    fn portal_setup(self) -> &'static PortalSetupStrings;
    fn portal_sso(self) -> &'static PortalSsoStrings;
    fn staff_sso(self) -> &'static StaffSsoStrings;
    fn strings(self) -> &'static Strings;
}

impl Translations for Language {
    fn staff_sso(self) -> &'static StaffSsoStrings {
        match self {
            Language::En => &staff_sso::EN,
            Language::Da => &staff_sso::DA,
            Language::Nb => &staff_sso::NB,
        }
    }

    fn portal_sso(self) -> &'static PortalSsoStrings {
        match self {
            Language::En => &portal_sso::EN,
            Language::Da => &portal_sso::DA,
            Language::Nb => &portal_sso::NB,
        }
    }

    fn portal_setup(self) -> &'static PortalSetupStrings {
        match self {
            Language::En => &portal_setup::EN,
            Language::Da => &portal_setup::DA,
            Language::Nb => &portal_setup::NB,
        }
    }

    fn portal_tickets(self) -> &'static PortalTicketStrings {
        match self {
            Language::En => &portal_tickets::EN,
            Language::Da => &portal_tickets::DA,
            Language::Nb => &portal_tickets::NB,
        }
    }

    fn tenant_settings(self) -> &'static TenantSettingStrings {
        match self {
            Language::En => &tenant_settings::EN,
            Language::Da => &tenant_settings::DA,
            Language::Nb => &tenant_settings::NB,
        }
    }

    fn equipment(self) -> &'static EquipmentStrings {
        match self {
            Language::En => &equipment::EN,
            Language::Da => &equipment::DA,
            Language::Nb => &equipment::NB,
        }
    }

    fn deliveries(self) -> &'static DeliveryStrings {
        match self {
            Language::En => &deliveries::EN,
            Language::Da => &deliveries::DA,
            Language::Nb => &deliveries::NB,
        }
    }

    fn templates(self) -> &'static TemplateStrings {
        match self {
            Language::En => &templates::EN,
            Language::Da => &templates::DA,
            Language::Nb => &templates::NB,
        }
    }

    fn audit(self) -> &'static AuditStrings {
        match self {
            Language::En => &audit::EN,
            Language::Da => &audit::DA,
            Language::Nb => &audit::NB,
        }
    }

    fn keys(self) -> &'static KeyStrings {
        match self {
            Language::En => &keys::EN,
            Language::Da => &keys::DA,
            Language::Nb => &keys::NB,
        }
    }

    fn themes(self) -> &'static ThemeStrings {
        match self {
            Language::En => &themes::EN,
            Language::Da => &themes::DA,
            Language::Nb => &themes::NB,
        }
    }

    fn wizard(self) -> &'static WizardStrings {
        match self {
            Language::En => &wizard::EN,
            Language::Da => &wizard::DA,
            Language::Nb => &wizard::NB,
        }
    }

    fn account(self) -> &'static AccountStrings {
        match self {
            Language::En => &account::EN,
            Language::Da => &account::DA,
            Language::Nb => &account::NB,
        }
    }

    fn sso(self) -> &'static SsoStrings {
        match self {
            Language::En => &sso::EN,
            Language::Da => &sso::DA,
            Language::Nb => &sso::NB,
        }
    }

    fn activity(self) -> &'static ActivityStrings {
        match self {
            Language::En => &activity::EN,
            Language::Da => &activity::DA,
            Language::Nb => &activity::NB,
        }
    }

    fn console(self) -> &'static ConsoleStrings {
        match self {
            Language::En => &console::EN,
            Language::Da => &console::DA,
            Language::Nb => &console::NB,
        }
    }

    fn documents(self) -> &'static DocumentStrings {
        match self {
            Language::En => &documents::EN,
            Language::Da => &documents::DA,
            Language::Nb => &documents::NB,
        }
    }

    fn fleet(self) -> &'static FleetStrings {
        match self {
            Language::En => &fleet::EN,
            Language::Da => &fleet::DA,
            Language::Nb => &fleet::NB,
        }
    }

    fn tickets(self) -> &'static TicketStrings {
        match self {
            Language::En => &tickets::EN,
            Language::Da => &tickets::DA,
            Language::Nb => &tickets::NB,
        }
    }

    fn strings(self) -> &'static Strings {
        match self {
            Language::En => &EN,
            Language::Da => &DA,
            Language::Nb => &NB,
        }
    }
}

/// Every UI string of the portal shell, one struct per language so a missing translation
/// is a compile error.
pub struct Strings {
    pub welcome: &'static str,
    pub signed_out_intro: &'static str,
    pub sign_in: &'static str,
    pub home: &'static str,
    pub not_available_title: &'static str,
    pub not_available_body: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    /// The error page's other kinds: a request the page cannot read, files or a form over
    /// the size allowed, and a change someone else made first.
    pub bad_request_title: &'static str,
    pub bad_request_body: &'static str,
    pub too_large_title: &'static str,
    pub too_large_body: &'static str,
    pub conflict_title: &'static str,
    pub conflict_body: &'static str,
    /// The error page's way on.
    pub go_home: &'static str,
    pub powered_by: &'static str,
    pub skip_to_content: &'static str,
    /// The language menu: its label, its button, and the page of a choice it cannot take.
    pub language_label: &'static str,
    pub language_button: &'static str,
    pub language_refused_title: &'static str,
    pub language_refused_body: &'static str,
    /// The branded 400 of a page asked for with bad query parameters (`app::portal::query`).
    pub bad_address_title: &'static str,
    pub bad_address_body: &'static str,
    pub query_one_of: &'static str,
    pub query_date: &'static str,
    pub query_from_link: &'static str,
    pub query_not_before_from: &'static str,
    pub query_max_days: fn(i64) -> String,
    pub query_fleet_max_days: fn(i64) -> String,
    pub query_not_with: &'static str,
    /// The header's menu button on narrow screens.
    pub menu: &'static str,
    /// The error summary's heading, and the hidden word before an inline error.
    pub problem_title: &'static str,
    pub error_prefix: &'static str,
    /// The start page's line under each app it lists.
    pub about_tickets: &'static str,
    pub about_support_form: &'static str,
    pub about_equipment: &'static str,
    pub about_reports: &'static str,
    pub about_activity: &'static str,
    pub about_documents: &'static str,
    /// What the start page lists the apps under.
    pub apps_heading: &'static str,
}

static EN: Strings = Strings {
    welcome: "Welcome",
    signed_out_intro: "Sign in to use your portal.",
    sign_in: "Sign in",
    home: "Home",
    not_available_title: "This portal is not available",
    not_available_body: "The portal has been switched off for now. Please try again later or contact your provider.",
    not_found_title: "Page not found",
    not_found_body: "There is no page at this address.",
    error_title: "Something went wrong",
    error_body: "We could not complete your request. Please try again in a moment.",
    bad_request_title: "This request could not be read",
    bad_request_body: "The address or the form sent has something this page does not understand. Go back and try again, or start from the home page.",
    too_large_title: "Too much was sent",
    too_large_body: "The form or its files are larger than this portal accepts. Send smaller or fewer files.",
    conflict_title: "This changed meanwhile",
    conflict_body: "Someone changed this while you were looking at it. Open the page again to see what it is now.",
    go_home: "Go to the home page",
    powered_by: "Customer portal",
    skip_to_content: "Skip to content",
    language_label: "Language",
    language_button: "Change",
    language_refused_title: "That language is not offered",
    language_refused_body: "Nothing was changed. Choose English, Dansk or Norsk bokmål in the language menu.",
    bad_address_title: "This address is not quite right",
    bad_address_body: "The page cannot be shown with these parts of its address. Change them, or go back and use the page's own links and filters.",
    query_one_of: "must be one of:",
    query_date: "must be a date written YYYY-MM-DD",
    query_from_link: "is not a value this page gives; use the page's own links and filters",
    query_not_before_from: "must not be before from",
    query_max_days: |days| format!("a report covers at most {days} days"),
    query_fleet_max_days: |days| {
        format!("a report of the whole fleet by day covers at most {days} days: choose weeks (by=week) or one machine")
    },
    query_not_with: "cannot be given together with",
    menu: "Menu",
    problem_title: "There is a problem",
    error_prefix: "Error:",
    about_tickets: "Follow your support requests and answer them.",
    about_support_form: "Ask for help from the support team.",
    about_equipment: "The machines shared with you.",
    about_reports: "Hours of use, starts and alerts over a period.",
    about_activity: "What your machines did, newest first.",
    about_documents: "Manuals, certificates and other files.",
    apps_heading: "In this portal",
};

static DA: Strings = Strings {
    welcome: "Velkommen",
    signed_out_intro: "Log ind for at bruge din portal.",
    sign_in: "Log ind",
    home: "Forside",
    not_available_title: "Portalen er ikke tilgængelig",
    not_available_body: "Portalen er slået fra lige nu. Prøv igen senere, eller kontakt din leverandør.",
    not_found_title: "Siden blev ikke fundet",
    not_found_body: "Der er ingen side på denne adresse.",
    error_title: "Noget gik galt",
    error_body: "Vi kunne ikke gennemføre din forespørgsel. Prøv igen om lidt.",
    bad_request_title: "Forespørgslen kunne ikke læses",
    bad_request_body: "Adressen eller formularen indeholder noget, denne side ikke forstår. Gå tilbage, og prøv igen, eller start fra forsiden.",
    too_large_title: "Der blev sendt for meget",
    too_large_body: "Formularen eller dens filer er større, end portalen tager imod. Send færre eller mindre filer.",
    conflict_title: "Det er blevet ændret imens",
    conflict_body: "En anden ændrede det, mens du så på det. Åbn siden igen for at se, hvordan det ser ud nu.",
    go_home: "Gå til forsiden",
    powered_by: "Kundeportal",
    skip_to_content: "Gå til indhold",
    language_label: "Sprog",
    language_button: "Skift",
    language_refused_title: "Det sprog findes ikke her",
    language_refused_body: "Intet blev ændret. Vælg English, Dansk eller Norsk bokmål i sprogmenuen.",
    bad_address_title: "Adressen er ikke helt rigtig",
    bad_address_body: "Siden kan ikke vises med disse dele af adressen. Ret dem, eller gå tilbage og brug sidens egne links og filtre.",
    query_one_of: "skal være en af:",
    query_date: "skal være en dato skrevet ÅÅÅÅ-MM-DD",
    query_from_link: "er ikke en værdi, siden giver; brug sidens egne links og filtre",
    query_not_before_from: "må ikke ligge før from",
    query_max_days: |days| format!("en rapport dækker højst {days} dage"),
    query_fleet_max_days: |days| {
        format!("en rapport over hele flåden pr. dag dækker højst {days} dage: vælg uger (by=week) eller én maskine")
    },
    query_not_with: "kan ikke gives sammen med",
    menu: "Menu",
    problem_title: "Der er et problem",
    error_prefix: "Fejl:",
    about_tickets: "Følg dine supportsager, og svar på dem.",
    about_support_form: "Bed supportteamet om hjælp.",
    about_equipment: "De maskiner, der er delt med dig.",
    about_reports: "Driftstimer, starter og alarmer over en periode.",
    about_activity: "Hvad dine maskiner har lavet, nyeste først.",
    about_documents: "Manualer, certifikater og andre filer.",
    apps_heading: "I denne portal",
};

static NB: Strings = Strings {
    welcome: "Velkommen",
    signed_out_intro: "Logg inn for å bruke portalen din.",
    sign_in: "Logg inn",
    home: "Hjem",
    not_available_title: "Portalen er ikke tilgjengelig",
    not_available_body: "Portalen er slått av for øyeblikket. Prøv igjen senere, eller kontakt leverandøren din.",
    not_found_title: "Fant ikke siden",
    not_found_body: "Det finnes ingen side på denne adressen.",
    error_title: "Noe gikk galt",
    error_body: "Vi kunne ikke fullføre forespørselen. Prøv igjen om litt.",
    bad_request_title: "Forespørselen kunne ikke leses",
    bad_request_body: "Adressen eller skjemaet inneholder noe denne siden ikke forstår. Gå tilbake og prøv igjen, eller start fra forsiden.",
    too_large_title: "Det ble sendt for mye",
    too_large_body: "Skjemaet eller filene er større enn portalen tar imot. Send færre eller mindre filer.",
    conflict_title: "Dette ble endret i mellomtiden",
    conflict_body: "Noen andre endret dette mens du så på det. Åpne siden igjen for å se hvordan det er nå.",
    go_home: "Gå til forsiden",
    powered_by: "Kundeportal",
    skip_to_content: "Gå til innhold",
    language_label: "Språk",
    language_button: "Bytt",
    language_refused_title: "Det språket finnes ikke her",
    language_refused_body: "Ingenting ble endret. Velg English, Dansk eller Norsk bokmål i språkmenyen.",
    bad_address_title: "Adressen er ikke helt riktig",
    bad_address_body: "Siden kan ikke vises med disse delene av adressen. Endre dem, eller gå tilbake og bruk sidens egne lenker og filtre.",
    query_one_of: "må være en av:",
    query_date: "må være en dato skrevet ÅÅÅÅ-MM-DD",
    query_from_link: "er ikke en verdi siden gir; bruk sidens egne lenker og filtre",
    query_not_before_from: "kan ikke ligge før from",
    query_max_days: |days| format!("en rapport dekker høyst {days} dager"),
    query_fleet_max_days: |days| {
        format!("en rapport over hele flåten per dag dekker høyst {days} dager: velg uker (by=week) eller én maskin")
    },
    query_not_with: "kan ikke gis sammen med",
    menu: "Meny",
    problem_title: "Det er et problem",
    error_prefix: "Feil:",
    about_tickets: "Følg supportsakene dine, og svar på dem.",
    about_support_form: "Be supportteamet om hjelp.",
    about_equipment: "Maskinene som er delt med deg.",
    about_reports: "Driftstimer, starter og alarmer over en periode.",
    about_activity: "Hva maskinene dine har gjort, nyeste først.",
    about_documents: "Manualer, sertifikater og andre filer.",
    apps_heading: "I denne portalen",
};
