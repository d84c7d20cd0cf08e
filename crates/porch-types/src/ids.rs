//! Typed identifiers: a tenant id can never be passed where a portal id is expected.
//! Ids are `UUIDv4` built from runtime-provided random bytes (randomness is a parameter).

use std::fmt;

macro_rules! define_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
}
