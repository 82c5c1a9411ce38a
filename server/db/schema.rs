//! Table definitions, written by hand to match both `migrations/sqlite` and
//! `migrations/postgres` (portable types only).

diesel::table! {
    users (id) {
        id -> BigInt,
        handle -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        title -> Text,
        department -> Text,
        location -> Text,
        manager_id -> Nullable<BigInt>,
        bio -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (key_hash) {
        key_hash -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        email -> Text,
        token_hash -> Text,
        role -> Text,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (bucket) {
        bucket -> Text,
        failures -> Integer,
        window_start -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        verb -> Text,
        object_type -> Text,
        object_id -> BigInt,
        community_id -> Nullable<BigInt>,
        visibility -> Text,
        data -> Text,
        created_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<BigInt>,
        details -> Text,
        created_at -> Timestamp,
        community_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    communities (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        description_html -> Text,
        visibility -> Text,
        created_by -> Nullable<BigInt>,
        member_count -> Integer,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (community_id, user_id) {
        community_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        state -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        community_id -> BigInt,
        author_id -> Nullable<BigInt>,
        kind -> Text,
        title -> Text,
        body -> Text,
        html -> Text,
        pinned -> Bool,
        accepted_comment_id -> Nullable<BigInt>,
        comment_count -> Integer,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_reason -> Nullable<Text>,
        locked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        author_id -> Nullable<BigInt>,
        reply_to -> Nullable<BigInt>,
        body -> Text,
        html -> Text,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_reason -> Nullable<Text>,
    }
}

diesel::table! {
    reactions (target_type, target_id, user_id, kind) {
        target_type -> Text,
        target_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    post_tags (post_id, tag) {
        post_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    user_follows (follower_id, followee_id) {
        follower_id -> BigInt,
        followee_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tag_follows (user_id, tag) {
        user_id -> BigInt,
        tag -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    challenges (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        description_html -> Text,
        created_by -> Nullable<BigInt>,
        deadline -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ideas (id) {
        id -> BigInt,
        author_id -> Nullable<BigInt>,
        community_id -> Nullable<BigInt>,
        challenge_id -> Nullable<BigInt>,
        title -> Text,
        problem -> Text,
        proposal -> Text,
        benefit -> Text,
        html -> Text,
        tags -> Text,
        state -> Text,
        quarter -> Text,
        merged_into -> Nullable<BigInt>,
        vote_count -> Integer,
        trend_value -> Double,
        trend_at -> Nullable<Timestamp>,
        trend_key -> Double,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        hidden_at -> Nullable<Timestamp>,
        hidden_reason -> Nullable<Text>,
    }
}

diesel::table! {
    idea_votes (idea_id, user_id) {
        idea_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idea_follows (idea_id, user_id) {
        idea_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idea_comments (id) {
        id -> BigInt,
        idea_id -> BigInt,
        author_id -> Nullable<BigInt>,
        reply_to -> Nullable<BigInt>,
        body -> Text,
        html -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idea_events (id) {
        id -> BigInt,
        idea_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        kind -> Text,
        from_state -> Text,
        to_state -> Text,
        note -> Text,
        created_at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    dockets (quarter) {
        quarter -> Text,
        size -> Integer,
        formula -> Text,
        closed_by -> Nullable<BigInt>,
        closed_at -> Timestamp,
    }
}

diesel::table! {
    docket_entries (quarter, idea_id) {
        quarter -> Text,
        idea_id -> BigInt,
        rank -> Integer,
        votes_at_close -> Integer,
    }
}

diesel::table! {
    idea_reviews (idea_id, reviewer_id) {
        idea_id -> BigInt,
        reviewer_id -> BigInt,
        impact -> Integer,
        feasibility -> Integer,
        fit -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idea_decisions (id) {
        id -> BigInt,
        idea_id -> BigInt,
        decided_by -> Nullable<BigInt>,
        decision -> Text,
        rationale -> Text,
        budget -> Nullable<BigInt>,
        sponsor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        group_key -> Text,
        activity_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        title -> Text,
        url -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_skills (user_id, skill) {
        user_id -> BigInt,
        skill -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skill_endorsements (user_id, skill, endorser_id) {
        user_id -> BigInt,
        skill -> Text,
        endorser_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skill_aliases (alias) {
        alias -> Text,
        skill -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    badges (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        activity_id -> BigInt,
        awarded_at -> Timestamp,
    }
}

diesel::table! {
    log_cursors (name) {
        name -> Text,
        last_id -> BigInt,
    }
}

diesel::table! {
    mail_preferences (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        mode -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        recipient -> Text,
        kind -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        unsubscribe_url -> Nullable<Text>,
        message_id -> Text,
        items -> Integer,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_notifications (outbox_id, notification_id) {
        outbox_id -> BigInt,
        notification_id -> BigInt,
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
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        target_type -> Text,
        target_id -> BigInt,
        community_id -> Nullable<BigInt>,
        reporter_id -> BigInt,
        reason -> Text,
        note -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<BigInt>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    community_bans (community_id, user_id) {
        community_id -> BigInt,
        user_id -> BigInt,
        until -> Nullable<Timestamp>,
        reason -> Text,
        banned_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    weekly_counts (week, metric, subject) {
        week -> Text,
        metric -> Text,
        subject -> BigInt,
        count -> BigInt,
    }
}

diesel::table! {
    weekly_actives (week, user_id) {
        week -> Text,
        user_id -> BigInt,
    }
}

diesel::table! {
    site_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(outbox_notifications -> outbox (outbox_id));
diesel::joinable!(outbox_notifications -> notifications (notification_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(user_skills -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(memberships -> communities (community_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(posts -> communities (community_id));
diesel::joinable!(posts -> users (author_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(reactions -> users (user_id));
diesel::joinable!(idea_votes -> ideas (idea_id));
diesel::joinable!(docket_entries -> ideas (idea_id));
diesel::joinable!(docket_entries -> dockets (quarter));
diesel::joinable!(idea_votes -> users (user_id));
diesel::joinable!(idea_follows -> ideas (idea_id));
diesel::joinable!(idea_comments -> users (author_id));
diesel::joinable!(idea_events -> users (actor_id));

diesel::table! {
    uploads (id) {
        id -> BigInt,
        owner_id -> BigInt,
        sha256 -> Text,
        name -> Text,
        mime -> Text,
        size -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        preview -> Nullable<Text>,
        text -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<BigInt>,
        position -> Integer,
        created_at -> Timestamp,
        attached_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    skill_aliases,
    badges,
    user_skills,
    skill_endorsements,
    notifications,
    mail_preferences,
    outbox,
    outbox_notifications,
    password_resets,
    reports,
    community_bans,
    weekly_counts,
    weekly_actives,
    site_settings,
    uploads,
    log_cursors,
    sessions,
    api_tokens,
    invitations,
    login_attempts,
    activities,
    audit_log,
    communities,
    memberships,
    posts,
    comments,
    reactions,
    post_tags,
    user_follows,
    tag_follows,
    challenges,
    ideas,
    idea_votes,
    idea_follows,
    idea_comments,
    idea_events,
    dockets,
    docket_entries,
    idea_reviews,
    idea_decisions,
);
