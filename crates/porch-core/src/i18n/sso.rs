//! Strings of the single sign-on pages (company sign-in, home realm discovery, sign-in
//! failed), one struct per language so a missing translation is a compile error.

pub struct SsoStrings {
    pub company_title: &'static str,
    pub company_intro: &'static str,
    pub continue_button: &'static str,
    pub or_password: &'static str,
    pub no_provider: &'static str,
    pub failed_title: &'static str,
    pub failed_body: &'static str,
    pub reference: &'static str,
    pub try_again: &'static str,
    pub continuing_title: &'static str,
    pub continuing_body: &'static str,
}

pub const EN: SsoStrings = SsoStrings {
    company_title: "Sign in with your company account",
    company_intro: "Enter your work email and we will send you to your company's sign-in page.",
    continue_button: "Continue",
    or_password: "Or sign in with a password",
    no_provider: "Single sign-on is not set up for that email's company here.",
    failed_title: "Sign-in failed",
    failed_body: "We could not sign you in through your company's single sign-on. If it happens again, give your administrator this reference so they can look it up:",
    reference: "Reference",
    try_again: "Try again",
    continuing_title: "Continuing to your company's sign-in",
    continuing_body: "If nothing happens, continue here:",
};

pub const DA: SsoStrings = SsoStrings {
    company_title: "Log ind med din virksomhedskonto",
    company_intro: "Skriv din arbejdsmail, så sender vi dig videre til din virksomheds login-side.",
    continue_button: "Fortsæt",
    or_password: "Eller log ind med adgangskode",
    no_provider: "Single sign-on er ikke sat op for den e-mails virksomhed her.",
    failed_title: "Login mislykkedes",
    failed_body: "Vi kunne ikke logge dig ind via din virksomheds single sign-on. Hvis det sker igen, så giv din administrator denne reference, så de kan slå den op:",
    reference: "Reference",
    try_again: "Prøv igen",
    continuing_title: "Videre til din virksomheds login",
    continuing_body: "Hvis der ikke sker noget, så fortsæt her:",
};

pub const NB: SsoStrings = SsoStrings {
    company_title: "Logg inn med virksomhetskontoen din",
    company_intro: "Skriv inn jobb-e-posten din, så sender vi deg videre til virksomhetens innloggingsside.",
    continue_button: "Fortsett",
    or_password: "Eller logg inn med passord",
    no_provider: "Single sign-on er ikke satt opp for den e-postens virksomhet her.",
    failed_title: "Innloggingen mislyktes",
    failed_body: "Vi kunne ikke logge deg inn via virksomhetens single sign-on. Hvis det skjer igjen, gi administratoren din denne referansen, så de kan slå den opp:",
    reference: "Referanse",
    try_again: "Prøv igjen",
    continuing_title: "Videre til virksomhetens innlogging",
    continuing_body: "Hvis ingenting skjer, fortsett her:",
};
