//! Strings of the recipients' activity page (the fleet's feed of events); the event kinds,
//! column and filter names are the equipment pages' (`FleetStrings`).

pub struct ActivityStrings {
    pub activity_title: &'static str,
    pub all_assets: &'static str,
    pub all_kinds: &'static str,
    pub no_events: &'static str,
    pub older: &'static str,
    pub asset_activity_link: &'static str,
}

pub const EN: ActivityStrings = ActivityStrings {
    activity_title: "Activity",
    all_assets: "All equipment",
    all_kinds: "All events",
    no_events: "No activity matches.",
    older: "Older events",
    asset_activity_link: "All activity of this machine",
};

pub const DA: ActivityStrings = ActivityStrings {
    activity_title: "Aktivitet",
    all_assets: "Alt materiel",
    all_kinds: "Alle hændelser",
    no_events: "Ingen aktivitet passer.",
    older: "Ældre hændelser",
    asset_activity_link: "Al aktivitet for maskinen",
};

pub const NB: ActivityStrings = ActivityStrings {
    activity_title: "Aktivitet",
    all_assets: "Alt utstyr",
    all_kinds: "Alle hendelser",
    no_events: "Ingen aktivitet passer.",
    older: "Eldre hendelser",
    asset_activity_link: "All aktivitet for maskinen",
};
