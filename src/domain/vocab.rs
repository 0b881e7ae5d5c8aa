//! The small vocabularies of the domain: roles, channels, outcomes, and the kinds and states of
//! outgoing messages.

use crate::text_enum;

text_enum! {
    /// What a user may do. Viewers only read; coders also record events on requests;
    /// researchers also run campaigns and imports; admins also manage users.
    pub enum Role("role") {
        Admin => "admin",
        Researcher => "researcher",
        Coder => "coder",
        Viewer => "viewer",
    }
}

impl Role {
    pub fn can_record_events(self) -> bool {
        !matches!(self, Role::Viewer)
    }

    pub fn can_manage_campaigns(self) -> bool {
        matches!(self, Role::Admin | Role::Researcher)
    }

    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
}

text_enum! {
    /// How a request was sent.
    pub enum Channel("channel") {
        Email => "email",
        Portal => "portal",
        Post => "post",
        Form => "form",
        Other => "other",
    }
}

text_enum! {
    /// What a response (or an internal review) gave.
    pub enum Outcome("outcome") {
        Full => "full",
        Partial => "partial",
        Refused => "refused",
        NotHeld => "not_held",
        Other => "other",
    }
}

text_enum! {
    /// What an outgoing message is.
    pub enum OutboxKind("message kind") {
        /// A campaign's request to a body.
        Request => "request",
        /// The morning digest to a campaign's owner and watchers.
        Digest => "digest",
        /// A polite reminder to a body whose reply is late.
        Chaser => "chaser",
        /// A request for internal review to a body whose reply is very late.
        ReviewRequest => "review_request",
    }
}

text_enum! {
    /// Where an outgoing message stands.
    pub enum OutboxState("message state") {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_and_dash_insensitively_and_names_the_choices_on_error() {
        assert_eq!("ADMIN".parse::<Role>().unwrap(), Role::Admin);
        assert_eq!("not-held".parse::<Outcome>().unwrap(), Outcome::NotHeld);
        let err = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"fax\" is not a known channel; use one of: email, portal, post, form, other"
        );
    }

    #[test]
    fn round_trips_every_spelling() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
            assert_eq!(serde_json::to_string(r).unwrap(), format!("\"{r}\""));
        }
    }

    #[test]
    fn viewers_cannot_write() {
        assert!(!Role::Viewer.can_record_events());
        assert!(Role::Coder.can_record_events());
        assert!(!Role::Coder.can_manage_campaigns());
        assert!(Role::Researcher.can_manage_campaigns());
        assert!(!Role::Researcher.can_manage_users());
    }
}
