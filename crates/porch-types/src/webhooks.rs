//! The events porch reports to a tenant's help desk by signed webhook.

/// What happened, as the `event` field and the `Porch-Event` header name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookEvent {
    /// A customer created a ticket in a portal.
    TicketCreated,
    /// A customer replied to a ticket in a portal.
    TicketReplied,
    /// A customer rated a closed ticket.
    TicketRated,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 3] =
        [WebhookEvent::TicketCreated, WebhookEvent::TicketReplied, WebhookEvent::TicketRated];

    /// The stable name receivers match on.
    pub fn code(self) -> &'static str {
        match self {
            WebhookEvent::TicketCreated => "ticket.created",
            WebhookEvent::TicketReplied => "ticket.replied",
            WebhookEvent::TicketRated => "ticket.rated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_the_stable_codes() {
        let codes: Vec<_> = WebhookEvent::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["ticket.created", "ticket.replied", "ticket.rated"]);
    }
}
