//! The console's words for a tenant's own settings (name, one portal per customer, plan), in
//! English, Danish and Norwegian Bokmål.

pub struct TenantSettingStrings {
    pub settings_title: &'static str,
    pub settings_intro: &'static str,
    pub name: &'static str,
    pub one_portal: &'static str,
    pub one_portal_hint: &'static str,
    pub plan: &'static str,
    pub plan_hint: &'static str,
    pub plan_read_only: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub stale: &'static str,
}

pub const EN: TenantSettingStrings = TenantSettingStrings {
    settings_title: "Settings",
    settings_intro: "The tenant's name, how its portals relate to its customers, and its plan.",
    name: "Name",
    one_portal: "One portal per customer",
    one_portal_hint: "Each customer gets a portal of its own, and no portal serves every customer.",
    plan: "Plan",
    plan_hint: "The apps this tenant's portals may offer. An app a portal offers cannot be taken away here: take it off the portal first.",
    plan_read_only: "The apps this tenant's portals may offer, as the platform's operator set them:",
    save: "Save settings",
    saved: "Settings saved.",
    stale: "Someone changed these settings after you opened the page, so nothing was saved. Here they are as they are now: make your change again.",
};

pub const DA: TenantSettingStrings = TenantSettingStrings {
    settings_title: "Indstillinger",
    settings_intro: "Lejerens navn, hvordan dens portaler hænger sammen med dens kunder, og dens plan.",
    name: "Navn",
    one_portal: "Én portal pr. kunde",
    one_portal_hint: "Hver kunde får sin egen portal, og ingen portal betjener alle kunder.",
    plan: "Plan",
    plan_hint: "De apps, lejerens portaler må tilbyde. En app, som en portal tilbyder, kan ikke fjernes her: fjern den fra portalen først.",
    plan_read_only: "De apps, lejerens portaler må tilbyde, som platformens operatør har sat dem:",
    save: "Gem indstillinger",
    saved: "Indstillingerne er gemt.",
    stale: "Nogen ændrede indstillingerne, efter du åbnede siden, så intet blev gemt. Her er de, som de er nu: lav din ændring igen.",
};

pub const NB: TenantSettingStrings = TenantSettingStrings {
    settings_title: "Innstillinger",
    settings_intro: "Leietakerens navn, hvordan portalene henger sammen med kundene, og planen.",
    name: "Navn",
    one_portal: "Én portal per kunde",
    one_portal_hint: "Hver kunde får sin egen portal, og ingen portal betjener alle kunder.",
    plan: "Plan",
    plan_hint: "Appene leietakerens portaler kan tilby. En app som en portal tilbyr, kan ikke fjernes her: fjern den fra portalen først.",
    plan_read_only: "Appene leietakerens portaler kan tilby, slik plattformens operatør har satt dem:",
    save: "Lagre innstillinger",
    saved: "Innstillingene er lagret.",
    stale: "Noen endret innstillingene etter at du åpnet siden, så ingenting ble lagret. Her er de slik de er nå: gjør endringen på nytt.",
};
