//! The words of every email porch sends, in English, Danish and Norwegian Bokmål. One struct
//! per language, so a missing translation is a compile error. `{portal}`, `{inviter}`,
//! `{minutes}`, `{role}` and, in ticket emails, `{number}`, `{subject}`, `{author}`, `{stage}`
//! and `{requester}` are filled in by `email::fill`, in one pass.

use crate::i18n::Language;

/// One kind of email: its subject, its heading, what it says, the button, and a closing note.
pub struct Template {
    pub subject: &'static str,
    pub heading: &'static str,
    pub body: &'static str,
    pub action: &'static str,
    pub note: &'static str,
}

pub struct Texts {
    pub invitation: Template,
    /// Replaces `invitation.body` when the inviter's name is known.
    pub invitation_by: &'static str,
    pub registration_invite: Template,
    pub verification: Template,
    pub password_reset: Template,
    pub already_registered: Template,
    /// Above the password reset link of an "already registered" email.
    pub forgot_password: &'static str,
    pub role_changed: Template,
    pub role_admin: &'static str,
    pub role_member: &'static str,
    /// To a requester: an agent's public reply (the reply's start is quoted under the body).
    pub ticket_reply: Template,
    /// To a requester: their ticket's status changed.
    pub ticket_stage: Template,
    /// To an inbox's notification address: a customer's new ticket, and a customer's reply.
    pub inbox_new_ticket: Template,
    pub inbox_customer_reply: Template,
    /// An invitation to a tenant's staff in the console ({role}: the role's name).
    pub staff_invitation: Template,
    /// A ticket's status, for portals that show open/closed rather than stage names.
    /// Above the link written out, for mail clients that hide the button.
    pub link_fallback: &'static str,
    pub footer: &'static str,
}

pub fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::En => &EN,
        Language::Da => &DA,
        Language::Nb => &NB,
    }
}

static EN: Texts = Texts {
    invitation: Template {
        subject: "You are invited to {portal}",
        heading: "You are invited",
        body: "You have been invited to join {portal}.",
        action: "Accept the invitation",
        note: "If you were not expecting this invitation, you can ignore this email.",
    },
    invitation_by: "{inviter} has invited you to join {portal}.",
    registration_invite: Template {
        subject: "You can now register on {portal}",
        heading: "Create your account",
        body: "Your address has been added to {portal}. You can create your account now.",
        action: "Register",
        note: "If you do not want an account, you can ignore this email.",
    },
    verification: Template {
        subject: "Confirm your email address for {portal}",
        heading: "Confirm your email address",
        body: "Thank you for registering on {portal}. Confirm that this address is yours to open your account.",
        action: "Confirm email address",
        note: "If you did not register, you can ignore this email; no account will be opened.",
    },
    password_reset: Template {
        subject: "Reset your password for {portal}",
        heading: "Reset your password",
        body: "Someone asked to reset the password of your account on {portal}. The link works once, for {minutes} minutes.",
        action: "Choose a new password",
        note: "If this was not you, you can ignore this email; your password stays as it is.",
    },
    already_registered: Template {
        subject: "Your account on {portal}",
        heading: "You already have an account",
        body: "Someone tried to register on {portal} with this email address, but it already has an account.",
        action: "Sign in",
        note: "If this was not you, you can ignore this email; nothing has changed.",
    },
    forgot_password: "Forgotten your password? Choose a new one here:",
    role_changed: Template {
        subject: "Your role on {portal} has changed",
        heading: "Your role has changed",
        body: "Your role on {portal} is now: {role}.",
        action: "Open the portal",
        note: "If you think this is a mistake, contact the portal's administrator.",
    },
    role_admin: "administrator",
    role_member: "member",
    ticket_reply: Template {
        subject: "[{portal} #{number}] New reply: {subject}",
        heading: "New reply to your ticket",
        body: "{author} replied to your ticket #{number}, “{subject}”, on {portal}:",
        action: "Read and reply",
        note: "Please reply in the portal: replies to this email are not read.",
    },
    ticket_stage: Template {
        subject: "[{portal} #{number}] {stage}: {subject}",
        heading: "Your ticket has a new status",
        body: "Your ticket #{number}, “{subject}”, on {portal} now has the status: {stage}.",
        action: "View the ticket",
        note: "You receive this email because the ticket is yours.",
    },
    inbox_new_ticket: Template {
        subject: "[{portal} #{number}] New ticket: {subject}",
        heading: "New ticket",
        body: "{requester} opened ticket #{number}, “{subject}”, on {portal}:",
        action: "Open the ticket",
        note: "You receive this email because this address is notified of an inbox's tickets.",
    },
    inbox_customer_reply: Template {
        subject: "[{portal} #{number}] Customer reply: {subject}",
        heading: "New reply from a customer",
        body: "{requester} replied on ticket #{number}, “{subject}”, on {portal}:",
        action: "Open the ticket",
        note: "You receive this email because this address is notified of an inbox's tickets.",
    },
    staff_invitation: Template {
        subject: "Join {portal} in the Porch console",
        heading: "You are invited to the console",
        body: "You have been invited to the console of {portal} as {role}. Choose your name and password, then set up two-step verification. The link works for 7 days.",
        action: "Accept the invitation",
        note: "If you were not expecting this invitation, you can ignore this email.",
    },
    link_fallback: "If the button does not work, copy this address into your browser:",
    footer: "This email was sent by {portal}.",
};

static DA: Texts = Texts {
    invitation: Template {
        subject: "Du er inviteret til {portal}",
        heading: "Du er inviteret",
        body: "Du er blevet inviteret til {portal}.",
        action: "Accepter invitationen",
        note: "Hvis du ikke ventede denne invitation, kan du se bort fra denne e-mail.",
    },
    invitation_by: "{inviter} har inviteret dig til {portal}.",
    registration_invite: Template {
        subject: "Du kan nu oprette dig på {portal}",
        heading: "Opret din konto",
        body: "Din adresse er føjet til {portal}. Du kan oprette din konto nu.",
        action: "Opret konto",
        note: "Hvis du ikke ønsker en konto, kan du se bort fra denne e-mail.",
    },
    verification: Template {
        subject: "Bekræft din e-mailadresse til {portal}",
        heading: "Bekræft din e-mailadresse",
        body: "Tak for din tilmelding på {portal}. Bekræft, at adressen er din, for at åbne din konto.",
        action: "Bekræft e-mailadresse",
        note: "Hvis du ikke har tilmeldt dig, kan du se bort fra denne e-mail; der åbnes ingen konto.",
    },
    password_reset: Template {
        subject: "Nulstil din adgangskode til {portal}",
        heading: "Nulstil din adgangskode",
        body: "Der er bedt om at nulstille adgangskoden til din konto på {portal}. Linket virker én gang, i {minutes} minutter.",
        action: "Vælg en ny adgangskode",
        note: "Hvis det ikke var dig, kan du se bort fra denne e-mail; din adgangskode er uændret.",
    },
    already_registered: Template {
        subject: "Din konto på {portal}",
        heading: "Du har allerede en konto",
        body: "Nogen forsøgte at oprette sig på {portal} med denne e-mailadresse, men den har allerede en konto.",
        action: "Log ind",
        note: "Hvis det ikke var dig, kan du se bort fra denne e-mail; intet er ændret.",
    },
    forgot_password: "Har du glemt din adgangskode? Vælg en ny her:",
    role_changed: Template {
        subject: "Din rolle på {portal} er ændret",
        heading: "Din rolle er ændret",
        body: "Din rolle på {portal} er nu: {role}.",
        action: "Åbn portalen",
        note: "Hvis du mener, at det er en fejl, så kontakt portalens administrator.",
    },
    role_admin: "administrator",
    role_member: "medlem",
    ticket_reply: Template {
        subject: "[{portal} #{number}] Nyt svar: {subject}",
        heading: "Nyt svar på din sag",
        body: "{author} har svaret på din sag #{number} »{subject}« på {portal}:",
        action: "Læs og svar",
        note: "Svar venligst i portalen: svar på denne e-mail bliver ikke læst.",
    },
    ticket_stage: Template {
        subject: "[{portal} #{number}] {stage}: {subject}",
        heading: "Din sag har fået ny status",
        body: "Din sag #{number} »{subject}« på {portal} har nu status: {stage}.",
        action: "Se sagen",
        note: "Du får denne e-mail, fordi sagen er din.",
    },
    inbox_new_ticket: Template {
        subject: "[{portal} #{number}] Ny sag: {subject}",
        heading: "Ny sag",
        body: "{requester} har oprettet sag #{number} »{subject}« på {portal}:",
        action: "Åbn sagen",
        note: "Du får denne e-mail, fordi adressen får besked om en indbakkes sager.",
    },
    inbox_customer_reply: Template {
        subject: "[{portal} #{number}] Svar fra kunden: {subject}",
        heading: "Nyt svar fra en kunde",
        body: "{requester} har svaret på sag #{number} »{subject}« på {portal}:",
        action: "Åbn sagen",
        note: "Du får denne e-mail, fordi adressen får besked om en indbakkes sager.",
    },
    staff_invitation: Template {
        subject: "Bliv en del af {portal} i Porch-konsollen",
        heading: "Du er inviteret til konsollen",
        body: "Du er inviteret til konsollen for {portal} som {role}. Vælg dit navn og din adgangskode, og konfigurer derefter totrinsbekræftelse. Linket virker i 7 dage.",
        action: "Accepter invitationen",
        note: "Hvis du ikke ventede denne invitation, kan du se bort fra denne e-mail.",
    },
    link_fallback: "Hvis knappen ikke virker, så kopiér denne adresse ind i din browser:",
    footer: "Denne e-mail er sendt af {portal}.",
};

static NB: Texts = Texts {
    invitation: Template {
        subject: "Du er invitert til {portal}",
        heading: "Du er invitert",
        body: "Du er invitert til å bli med i {portal}.",
        action: "Godta invitasjonen",
        note: "Hvis du ikke ventet denne invitasjonen, kan du se bort fra denne e-posten.",
    },
    invitation_by: "{inviter} har invitert deg til {portal}.",
    registration_invite: Template {
        subject: "Du kan nå registrere deg på {portal}",
        heading: "Opprett kontoen din",
        body: "Adressen din er lagt til i {portal}. Du kan opprette kontoen din nå.",
        action: "Registrer deg",
        note: "Hvis du ikke ønsker en konto, kan du se bort fra denne e-posten.",
    },
    verification: Template {
        subject: "Bekreft e-postadressen din for {portal}",
        heading: "Bekreft e-postadressen din",
        body: "Takk for at du registrerte deg på {portal}. Bekreft at adressen er din for å åpne kontoen.",
        action: "Bekreft e-postadressen",
        note: "Hvis du ikke har registrert deg, kan du se bort fra denne e-posten; ingen konto blir åpnet.",
    },
    password_reset: Template {
        subject: "Tilbakestill passordet ditt for {portal}",
        heading: "Tilbakestill passordet ditt",
        body: "Noen ba om å tilbakestille passordet til kontoen din på {portal}. Lenken virker én gang, i {minutes} minutter.",
        action: "Velg et nytt passord",
        note: "Hvis det ikke var deg, kan du se bort fra denne e-posten; passordet ditt er uendret.",
    },
    already_registered: Template {
        subject: "Kontoen din på {portal}",
        heading: "Du har allerede en konto",
        body: "Noen prøvde å registrere seg på {portal} med denne e-postadressen, men den har allerede en konto.",
        action: "Logg inn",
        note: "Hvis det ikke var deg, kan du se bort fra denne e-posten; ingenting er endret.",
    },
    forgot_password: "Har du glemt passordet? Velg et nytt her:",
    role_changed: Template {
        subject: "Rollen din på {portal} er endret",
        heading: "Rollen din er endret",
        body: "Rollen din på {portal} er nå: {role}.",
        action: "Åpne portalen",
        note: "Hvis du mener at dette er feil, kontakt administratoren for portalen.",
    },
    role_admin: "administrator",
    role_member: "medlem",
    ticket_reply: Template {
        subject: "[{portal} #{number}] Nytt svar: {subject}",
        heading: "Nytt svar i saken din",
        body: "{author} har svart i saken din #{number} «{subject}» på {portal}:",
        action: "Les og svar",
        note: "Svar i portalen: svar på denne e-posten blir ikke lest.",
    },
    ticket_stage: Template {
        subject: "[{portal} #{number}] {stage}: {subject}",
        heading: "Saken din har fått ny status",
        body: "Saken din #{number} «{subject}» på {portal} har nå status: {stage}.",
        action: "Se saken",
        note: "Du får denne e-posten fordi saken er din.",
    },
    inbox_new_ticket: Template {
        subject: "[{portal} #{number}] Ny sak: {subject}",
        heading: "Ny sak",
        body: "{requester} har opprettet sak #{number} «{subject}» på {portal}:",
        action: "Åpne saken",
        note: "Du får denne e-posten fordi adressen varsles om sakene i en innboks.",
    },
    inbox_customer_reply: Template {
        subject: "[{portal} #{number}] Svar fra kunden: {subject}",
        heading: "Nytt svar fra en kunde",
        body: "{requester} har svart i sak #{number} «{subject}» på {portal}:",
        action: "Åpne saken",
        note: "Du får denne e-posten fordi adressen varsles om sakene i en innboks.",
    },
    staff_invitation: Template {
        subject: "Bli med i {portal} i Porch-konsollen",
        heading: "Du er invitert til konsollen",
        body: "Du er invitert til konsollen for {portal} som {role}. Velg navn og passord, og sett deretter opp totrinnsbekreftelse. Lenken virker i 7 dager.",
        action: "Godta invitasjonen",
        note: "Hvis du ikke ventet denne invitasjonen, kan du se bort fra denne e-posten.",
    },
    link_fallback: "Hvis knappen ikke virker, kopier denne adressen inn i nettleseren:",
    footer: "Denne e-posten er sendt fra {portal}.",
};
