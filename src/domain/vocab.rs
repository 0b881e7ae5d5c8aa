//! The small vocabularies of the domain: roles, channels, outcomes, and the kinds and states of
//! outgoing messages.

use crate::text_enum;

text_enum! {
    /// A user's site role. `admin` administers the site: users, workspaces, bank holidays and
    /// the reminders run. The others grant nothing by themselves (rights come from workspace
    /// memberships); they are the workspace role a new user joins with.
    pub enum Role("role") {
        Admin => "admin",
        Researcher => "researcher",
        Coder => "coder",
        Viewer => "viewer",
    }
}

impl Role {
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
}

text_enum! {
    /// What a member may do in one workspace. Viewers only read; coders also record events on
    /// requests; researchers also run campaigns and send mail; owners also manage the members.
    pub enum WorkspaceRole("workspace role") {
        Owner => "owner",
        Researcher => "researcher",
        Coder => "coder",
        Viewer => "viewer",
    }
}

impl WorkspaceRole {
    pub fn can_record_events(self) -> bool {
        !matches!(self, WorkspaceRole::Viewer)
    }

    pub fn can_manage_campaigns(self) -> bool {
        matches!(self, WorkspaceRole::Owner | WorkspaceRole::Researcher)
    }

    pub fn can_manage_members(self) -> bool {
        matches!(self, WorkspaceRole::Owner)
    }

    /// The workspace role that carries a site role's old rights, for users who join without
    /// one named: an administrator becomes an owner.
    pub fn from_site_role(role: Role) -> Self {
        match role {
            Role::Admin => WorkspaceRole::Owner,
            Role::Researcher => WorkspaceRole::Researcher,
            Role::Coder => WorkspaceRole::Coder,
            Role::Viewer => WorkspaceRole::Viewer,
        }
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
        /// A link to set a new password, to a person about their own account.
        PasswordReset => "password_reset",
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
    fn workspace_roles_grant_todays_rights_and_owners_manage_members() {
        use WorkspaceRole::*;
        assert!(!Viewer.can_record_events());
        assert!(Coder.can_record_events());
        assert!(!Coder.can_manage_campaigns());
        assert!(Researcher.can_manage_campaigns() && Owner.can_manage_campaigns());
        assert!(!Researcher.can_manage_members());
        assert!(Owner.can_manage_members());
        assert!(Role::Admin.can_manage_users() && !Role::Researcher.can_manage_users());
        assert_eq!(WorkspaceRole::from_site_role(Role::Admin), Owner);
        assert_eq!(WorkspaceRole::from_site_role(Role::Coder), Coder);
    }
}
