//! The console's words (its sign-in, second factor and first pages) in English, Danish and
//! Norwegian Bokmål. The fields it shares with the portal (email, password, name and their
//! problems) are `AccountStrings`'.

pub struct ConsoleStrings {
    pub product: &'static str,
    pub sign_out: &'static str,
    pub main_menu: &'static str,

    pub set_up_title: &'static str,
    pub set_up_intro: &'static str,
    pub admin_token: &'static str,
    pub admin_token_hint: &'static str,
    pub admin_token_missing: &'static str,
    pub admin_token_wrong: &'static str,
    pub create_account: &'static str,

    pub second_factor_title: &'static str,
    pub second_factor_intro: &'static str,
    pub open_in_app: &'static str,
    pub key_by_hand: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub code_missing: &'static str,
    pub code_wrong: &'static str,
    pub verify: &'static str,

    pub prove_title: &'static str,
    pub prove_intro: &'static str,

    pub recovery_title: &'static str,
    pub recovery_intro: &'static str,
    pub recovery_continue: &'static str,

    pub sign_in_title: &'static str,
    pub sign_in_wrong: &'static str,
    pub too_many_attempts: &'static str,
    pub sign_in_button: &'static str,

    pub code_title: &'static str,
    pub code_intro: &'static str,
    pub code_or_recovery: &'static str,
    pub code_or_recovery_hint: &'static str,
    pub code_or_recovery_wrong: &'static str,
    pub continue_button: &'static str,

    pub tenants_title: &'static str,
    pub signed_in_as: &'static str,
    pub role_operator: &'static str,
    pub recovery_left: &'static str,
    pub tenant_name: &'static str,
    pub tenant_slug: &'static str,
    pub tenant_created: &'static str,
    pub no_tenants: &'static str,
}

pub const EN: ConsoleStrings = ConsoleStrings {
    product: "Porch console",
    sign_out: "Sign out",
    main_menu: "Console",

    set_up_title: "Set up the console",
    set_up_intro: "Create the platform's first operator account. Operators see every tenant and plan. You need the platform admin token: the PLATFORM_ADMIN_TOKEN secret of this deployment.",
    admin_token: "Platform admin token",
    admin_token_hint: "It is used once, here, and not stored with your account.",
    admin_token_missing: "Enter the platform admin token",
    admin_token_wrong: "The platform admin token is not right",
    create_account: "Create account",

    second_factor_title: "Set up two-step verification",
    second_factor_intro: "Every console sign-in asks for a code from an authenticator app (such as 1Password, Google Authenticator or Microsoft Authenticator) as well as your password. Add Porch to your app, then enter the code it shows.",
    open_in_app: "Open in your authenticator app",
    key_by_hand: "Or type this key into the app by hand (time-based, 6 digits):",
    code: "Code from the app",
    code_hint: "6 digits, for example 123 456",
    code_missing: "Enter the 6-digit code from your authenticator app",
    code_wrong: "That code is not right. Check that your phone's clock is set automatically and enter the newest code",
    verify: "Verify and continue",

    prove_title: "Confirm you may set up two-step verification",
    prove_intro: "Two-step verification was never set up for this account. Before it is, enter the platform admin token, as at the console's set-up: a password alone cannot choose the authenticator app.",

    recovery_title: "Save your recovery codes",
    recovery_intro: "If you lose your phone, each of these codes signs you in once in place of the app's code. Keep them somewhere safe, such as a password manager: they are not shown again.",
    recovery_continue: "I have saved them: go to the console",

    sign_in_title: "Sign in to the console",
    sign_in_wrong: "The email address or password is not right",
    too_many_attempts: "Too many attempts. Wait 15 minutes, then try again",
    sign_in_button: "Sign in",

    code_title: "Enter your code",
    code_intro: "Open your authenticator app and enter the code it shows for Porch.",
    code_or_recovery: "Code",
    code_or_recovery_hint: "6 digits from the app, or one of your recovery codes if you have lost your phone",
    code_or_recovery_wrong: "That code is not right. Enter the newest code from your app, or a recovery code you have not used",
    continue_button: "Continue",

    tenants_title: "Tenants",
    signed_in_as: "Signed in as",
    role_operator: "Platform operator",
    recovery_left: "Recovery codes left:",
    tenant_name: "Name",
    tenant_slug: "Slug",
    tenant_created: "Created",
    no_tenants: "There are no tenants yet.",
};

pub const DA: ConsoleStrings = ConsoleStrings {
    product: "Porch-konsol",
    sign_out: "Log ud",
    main_menu: "Konsol",

    set_up_title: "Opsæt konsollen",
    set_up_intro: "Opret platformens første operatørkonto. Operatører ser alle lejere og planer. Du skal bruge platformens admin-token: denne installations hemmelighed PLATFORM_ADMIN_TOKEN.",
    admin_token: "Platformens admin-token",
    admin_token_hint: "Det bruges én gang, her, og gemmes ikke med din konto.",
    admin_token_missing: "Indtast platformens admin-token",
    admin_token_wrong: "Platformens admin-token er ikke rigtigt",
    create_account: "Opret konto",

    second_factor_title: "Opsæt totrinsbekræftelse",
    second_factor_intro: "Hver gang du logger ind i konsollen, skal du ud over din adgangskode indtaste en kode fra en godkendelsesapp (f.eks. 1Password, Google Authenticator eller Microsoft Authenticator). Tilføj Porch i din app, og indtast derefter koden, den viser.",
    open_in_app: "Åbn i din godkendelsesapp",
    key_by_hand: "Eller skriv denne nøgle i appen (tidsbaseret, 6 cifre):",
    code: "Kode fra appen",
    code_hint: "6 cifre, f.eks. 123 456",
    code_missing: "Indtast den 6-cifrede kode fra din godkendelsesapp",
    code_wrong: "Koden er ikke rigtig. Kontrollér, at telefonens ur stilles automatisk, og indtast den nyeste kode",
    verify: "Bekræft og fortsæt",

    prove_title: "Bekræft, at du må opsætte totrinsbekræftelse",
    prove_intro: "Totrinsbekræftelse blev aldrig opsat for denne konto. Indtast platformens admin-token, som ved konsollens opsætning, før den opsættes: en adgangskode alene kan ikke vælge godkendelsesappen.",

    recovery_title: "Gem dine gendannelseskoder",
    recovery_intro: "Hvis du mister din telefon, logger hver af disse koder dig ind én gang i stedet for appens kode. Opbevar dem et sikkert sted, f.eks. i en adgangskodeadministrator: de vises ikke igen.",
    recovery_continue: "Jeg har gemt dem: gå til konsollen",

    sign_in_title: "Log ind i konsollen",
    sign_in_wrong: "E-mailadressen eller adgangskoden er ikke rigtig",
    too_many_attempts: "For mange forsøg. Vent 15 minutter, og prøv igen",
    sign_in_button: "Log ind",

    code_title: "Indtast din kode",
    code_intro: "Åbn din godkendelsesapp, og indtast den kode, den viser for Porch.",
    code_or_recovery: "Kode",
    code_or_recovery_hint: "6 cifre fra appen, eller en af dine gendannelseskoder, hvis du har mistet din telefon",
    code_or_recovery_wrong: "Koden er ikke rigtig. Indtast den nyeste kode fra appen eller en gendannelseskode, du ikke har brugt",
    continue_button: "Fortsæt",

    tenants_title: "Lejere",
    signed_in_as: "Logget ind som",
    role_operator: "Platformoperatør",
    recovery_left: "Gendannelseskoder tilbage:",
    tenant_name: "Navn",
    tenant_slug: "Kortnavn",
    tenant_created: "Oprettet",
    no_tenants: "Der er ingen lejere endnu.",
};

pub const NB: ConsoleStrings = ConsoleStrings {
    product: "Porch-konsoll",
    sign_out: "Logg ut",
    main_menu: "Konsoll",

    set_up_title: "Sett opp konsollen",
    set_up_intro: "Opprett plattformens første operatørkonto. Operatører ser alle leietakere og planer. Du trenger plattformens admin-token: denne installasjonens hemmelighet PLATFORM_ADMIN_TOKEN.",
    admin_token: "Plattformens admin-token",
    admin_token_hint: "Det brukes én gang, her, og lagres ikke med kontoen din.",
    admin_token_missing: "Skriv inn plattformens admin-token",
    admin_token_wrong: "Plattformens admin-token er ikke riktig",
    create_account: "Opprett konto",

    second_factor_title: "Sett opp totrinnsbekreftelse",
    second_factor_intro: "Hver gang du logger inn i konsollen, må du i tillegg til passordet skrive inn en kode fra en autentiseringsapp (for eksempel 1Password, Google Authenticator eller Microsoft Authenticator). Legg til Porch i appen, og skriv deretter inn koden den viser.",
    open_in_app: "Åpne i autentiseringsappen",
    key_by_hand: "Eller skriv denne nøkkelen inn i appen for hånd (tidsbasert, 6 sifre):",
    code: "Kode fra appen",
    code_hint: "6 sifre, for eksempel 123 456",
    code_missing: "Skriv inn den 6-sifrede koden fra autentiseringsappen",
    code_wrong: "Koden er ikke riktig. Sjekk at klokken på telefonen stilles automatisk, og skriv inn den nyeste koden",
    verify: "Bekreft og fortsett",

    prove_title: "Bekreft at du kan sette opp totrinnsbekreftelse",
    prove_intro: "Totrinnsbekreftelse ble aldri satt opp for denne kontoen. Skriv inn plattformens admin-token, som ved oppsettet av konsollen, før den settes opp: et passord alene kan ikke velge autentiseringsappen.",

    recovery_title: "Lagre gjenopprettingskodene",
    recovery_intro: "Hvis du mister telefonen, logger hver av disse kodene deg inn én gang i stedet for appens kode. Oppbevar dem et trygt sted, for eksempel i en passordbehandler: de vises ikke igjen.",
    recovery_continue: "Jeg har lagret dem: gå til konsollen",

    sign_in_title: "Logg inn i konsollen",
    sign_in_wrong: "E-postadressen eller passordet er ikke riktig",
    too_many_attempts: "For mange forsøk. Vent 15 minutter, og prøv igjen",
    sign_in_button: "Logg inn",

    code_title: "Skriv inn koden",
    code_intro: "Åpne autentiseringsappen, og skriv inn koden den viser for Porch.",
    code_or_recovery: "Kode",
    code_or_recovery_hint: "6 sifre fra appen, eller en av gjenopprettingskodene hvis du har mistet telefonen",
    code_or_recovery_wrong: "Koden er ikke riktig. Skriv inn den nyeste koden fra appen eller en gjenopprettingskode du ikke har brukt",
    continue_button: "Fortsett",

    tenants_title: "Leietakere",
    signed_in_as: "Logget inn som",
    role_operator: "Plattformoperatør",
    recovery_left: "Gjenopprettingskoder igjen:",
    tenant_name: "Navn",
    tenant_slug: "Kortnavn",
    tenant_created: "Opprettet",
    no_tenants: "Det er ingen leietakere ennå.",
};
