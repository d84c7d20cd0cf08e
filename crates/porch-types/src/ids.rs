//! Typed identifiers: a tenant id can never be passed where a portal id is expected.
//! Ids are `UUIDv4` built from runtime-provided random bytes (randomness is a parameter).

use std::fmt;

macro_rules! define_id {
    ($($name:ident),* $(,)?) => {$(
        // Ordered as their text is (lowercase hex and hyphens in fixed places), so rows the
        // database sorts by id can be searched by id in Rust. Read from a row or JSON, an id is
        // the text `to_db` writes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub fn from_random(bytes: [u8; 16]) -> $name {
                $name(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// Parses the hyphenated form; anything else is not an id of ours.
            pub fn parse(input: &str) -> Option<$name> {
                (input.len() == 36).then(|| uuid::Uuid::try_parse(input).ok().map($name)).flatten()
            }

            pub fn to_db(self) -> String {
                self.0.hyphenated().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
    )*};
}

define_id!(
    TenantId,
    ApiKeyId,
    CustomerId,
    BusinessUnitId,
    PortalId,
    ThemeId,
    AccountId,
    InvitationId,
    PreviewId,
    OutboxId,
    ListEntryId,
    PipelineId,
    StageId,
    InboxId,
    PropertyId,
    TicketId,
    MessageId,
    AttachmentId,
    WebhookId,
    WebhookEventId,
    SsoConnectionId,
    SsoEventId,
    AssetId,
    AssetShareId,
    TemplateId,
    DocumentId,
    ExportId,
    StaffId,
    StaffInvitationId,
    StaffSsoId,
);

/// One portal of one tenant: what every recipient-side query is scoped by. Both ids are
/// bound in every such query, so a row of another portal is never read or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortalScope {
    pub tenant: TenantId,
    pub portal: PortalId,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_its_text_form() {
        let id = TenantId::from_random([7; 16]);
        assert_eq!(TenantId::parse(&id.to_string()), Some(id));
    }

    #[test]
    fn only_the_hyphenated_form_is_an_id() {
        let id = PortalId::from_random([9; 16]);
        let simple = id.to_string().replace('-', "");
        assert_eq!(PortalId::parse(&simple), None);
        assert_eq!(PortalId::parse("../../etc"), None);
        assert_eq!(PortalId::parse(""), None);
    }

    #[test]
    fn ids_order_as_their_stored_text_does() {
        let ids: Vec<AssetId> = [[0x0f; 16], [0xa0; 16], [0x10; 16], [0xff; 16], [0x09; 16]]
            .into_iter()
            .map(AssetId::from_random)
            .collect();
        let mut by_id = ids.clone();
        by_id.sort();
        let mut by_text = ids;
        by_text.sort_by_key(|id| id.to_db());
        assert_eq!(by_id, by_text);
    }

    #[test]
    fn an_id_reads_from_and_writes_to_json_as_its_stored_text() {
        let id = CustomerId::from_random([3; 16]);
        let json = serde_json::to_value(id).unwrap();
        assert_eq!(json, serde_json::Value::String(id.to_db()));
        assert_eq!(serde_json::from_value::<CustomerId>(json).unwrap(), id);
        assert!(serde_json::from_value::<CustomerId>(serde_json::json!("not-an-id")).is_err());
    }
}
