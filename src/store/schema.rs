//! The diesel schema, shared by SQLite and PostgreSQL. Enums are stored as their text spelling.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        created_at -> Timestamp,
        password_hash -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        ingest_only -> Bool,
        workspace_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    authorities (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        email -> Nullable<Text>,
        region -> Nullable<Text>,
        region_code -> Nullable<Text>,
        ods_code -> Nullable<Text>,
        tags -> Text,
        postcode -> Nullable<Text>,
        opened_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email_failed_at -> Nullable<Timestamp>,
        email_failure -> Nullable<Text>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        reference_prefix -> Text,
        subject_template -> Text,
        body_template -> Text,
        regime -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        chasers_enabled -> Bool,
        chase_after_working_days -> Integer,
        workspace_id -> BigInt,
    }
}

diesel::table! {
    requests (id) {
        id -> BigInt,
        campaign_id -> Nullable<BigInt>,
        authority_id -> BigInt,
        reference -> Text,
        subject -> Text,
        body -> Text,
        regime -> Text,
        state -> Text,
        sent_at -> Nullable<Timestamp>,
        sent_on -> Nullable<Date>,
        channel -> Nullable<Text>,
        sent_to -> Nullable<Text>,
        clock_started_on -> Nullable<Date>,
        due_on -> Nullable<Date>,
        very_overdue_on -> Nullable<Date>,
        review_due_on -> Nullable<Date>,
        body_reference -> Nullable<Text>,
        outcome -> Nullable<Text>,
        responded_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        received_on -> Nullable<Date>,
        original_due_on -> Nullable<Date>,
        workspace_id -> BigInt,
    }
}

diesel::table! {
    /// Bank holiday files imported at run time; the newest one is in force.
    holiday_files (id) {
        id -> BigInt,
        content -> Text,
        imported_by -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        request_id -> BigInt,
        kind -> Text,
        occurred_on -> Date,
        details -> Text,
        note -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    /// SQLite only: see the migration.
    write_lock (id) {
        id -> BigInt,
        writes -> BigInt,
    }
}

diesel::table! {
    workspaces (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    memberships (workspace_id, user_id) {
        workspace_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    /// A workspace's own contact for a body; it overrides the register's email for its mail.
    workspace_contacts (workspace_id, authority_id) {
        workspace_id -> BigInt,
        authority_id -> BigInt,
        contact_name -> Nullable<Text>,
        email -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    codebooks (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        key -> Text,
        version -> Integer,
        title -> Text,
        definition -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    coding_plans (campaign_id) {
        campaign_id -> BigInt,
        codebook_id -> BigInt,
        double_percent -> Integer,
        seed -> BigInt,
        updated_by -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coding_coders (campaign_id, user_id) {
        campaign_id -> BigInt,
        user_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    codings (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        campaign_id -> BigInt,
        request_id -> BigInt,
        codebook_id -> BigInt,
        question -> Text,
        coder_id -> BigInt,
        codes -> Nullable<Text>,
        number -> Nullable<Double>,
        text -> Nullable<Text>,
        evidence -> Text,
        memo -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Answers carried forward to a newer codebook version, as they were before.
    answer_moves (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        request_id -> BigInt,
        question -> Text,
        coder_id -> Nullable<BigInt>,
        from_codebook_id -> BigInt,
        to_codebook_id -> BigInt,
        from_codes -> Nullable<Text>,
        to_codes -> Nullable<Text>,
        from_number -> Nullable<Double>,
        from_text -> Nullable<Text>,
        from_evidence -> Nullable<Text>,
        from_memo -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        moved_by -> BigInt,
        moved_at -> Timestamp,
    }
}

diesel::table! {
    adjudications (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        campaign_id -> BigInt,
        request_id -> BigInt,
        question -> Text,
        codes -> Nullable<Text>,
        number -> Nullable<Double>,
        text -> Nullable<Text>,
        rationale -> Text,
        adjudicator_id -> BigInt,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    /// The final answers, kept up to date as codings and adjudications are written.
    final_codes (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        request_id -> BigInt,
        question -> Text,
        code -> Nullable<Text>,
        number -> Nullable<Double>,
        undecided -> Bool,
        applies -> Bool,
        region -> Nullable<Text>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(codings -> requests (request_id));
diesel::joinable!(codings -> users (coder_id));
diesel::joinable!(coding_coders -> users (user_id));
diesel::joinable!(final_codes -> requests (request_id));
diesel::joinable!(codebooks -> workspaces (workspace_id));
diesel::joinable!(codebooks -> users (created_by));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(campaigns -> workspaces (workspace_id));
diesel::joinable!(campaigns -> users (created_by));
diesel::joinable!(requests -> campaigns (campaign_id));
diesel::joinable!(requests -> authorities (authority_id));
diesel::joinable!(events -> requests (request_id));
diesel::joinable!(events -> users (recorded_by));
diesel::joinable!(inbound_links -> inbound_messages (inbound_id));
diesel::joinable!(inbound_links -> requests (request_id));
diesel::joinable!(inbound_attachments -> inbound_messages (inbound_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    api_tokens,
    authorities,
    campaigns,
    requests,
    events,
    holiday_files,
    outbox,
    campaign_watchers,
    alerts,
    workspaces,
    memberships,
    workspace_contacts,
    inbound_messages,
    inbound_links,
    inbound_attachments,
    inbound_scopes,
    codebooks,
    coding_plans,
    coding_coders,
    codings,
    adjudications,
    final_codes,
    answer_moves
);

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        request_id -> Nullable<BigInt>,
        campaign_id -> Nullable<BigInt>,
        message_id -> Text,
        from_address -> Text,
        to_address -> Text,
        reply_to -> Nullable<Text>,
        subject -> Text,
        body -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_by -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
        workspace_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        outbox_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    campaign_watchers (campaign_id, user_id) {
        campaign_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        request_id -> BigInt,
        kind -> Text,
        clock_key -> Text,
        user_id -> BigInt,
        outbox_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The fingerprint of the holiday rules deadlines were last worked out under; newest wins.
    holiday_rules (id) {
        id -> BigInt,
        fingerprint -> Text,
        applied_at -> Timestamp,
    }
}

diesel::table! {
    /// Incoming mail, stored once each (see the migration).
    inbound_messages (id) {
        id -> BigInt,
        sha256 -> Text,
        message_id -> Nullable<Text>,
        workspace_id -> Nullable<BigInt>,
        source -> Text,
        outcome -> Text,
        matched_by -> Text,
        reason -> Nullable<Text>,
        delivery_status -> Nullable<Text>,
        from_address -> Nullable<Text>,
        subject -> Text,
        sent_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
        body_text -> Text,
        body_html -> Nullable<Text>,
        suggestions -> Text,
        size -> BigInt,
        raw -> Binary,
        raw_in_directory -> Bool,
        received_by -> BigInt,
        discarded_at -> Nullable<Timestamp>,
        discarded_by -> Nullable<BigInt>,
        discard_reason -> Nullable<Text>,
    }
}

diesel::table! {
    inbound_scopes (inbound_id, workspace_id) {
        inbound_id -> BigInt,
        workspace_id -> BigInt,
    }
}

diesel::table! {
    inbound_links (inbound_id, request_id) {
        inbound_id -> BigInt,
        request_id -> BigInt,
        matched_by -> Text,
        sender_mismatch -> Bool,
        linked_at -> Timestamp,
        classification -> Nullable<Text>,
        classified_event_id -> Nullable<BigInt>,
        classified_by -> Nullable<BigInt>,
        classified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    inbound_attachments (id) {
        id -> BigInt,
        inbound_id -> BigInt,
        position -> Integer,
        filename -> Nullable<Text>,
        declared_type -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        data -> Binary,
        extraction -> Text,
        extraction_error -> Nullable<Text>,
        extracted_text -> Nullable<Text>,
    }
}
