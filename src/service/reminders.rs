//! The daily digest to researchers: for each campaign owner and watcher, the requests that
//! became late, are due soon, wait on a clarification too long, or have a review due. Each alert
//! is recorded against the clock it belongs to, so it goes once per lapse; a new clock (a
//! clarification, an extension, a new review) re-arms it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::access::Intent;
use super::outbox::message_id;
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::event::EventKind;
use crate::domain::status::{Status, status_on};
use crate::domain::vocab::{OutboxKind, OutboxState, WorkspaceRole};
use crate::store::models::RequestRow;
use crate::store::outbox::{self as store_outbox, NewOutbox};
use crate::store::{self, authorities, events, reminders, users};

/// When and about what to remind.
#[derive(Debug, Clone)]
pub struct ReminderConfig {
    /// "Due soon" means due within this many working days.
    pub due_soon_working_days: u32,
    /// Awaiting a clarification for longer than this many days is worth a reminder.
    pub clarification_days: i64,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        Self { due_soon_working_days: 3, clarification_days: 20 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Mail to the body's address bounced or was refused for good: nothing sent there arrives.
    AddressFailing,
    Overdue,
    VeryOverdue,
    DueSoon,
    ClarificationWaiting,
    ReviewDue,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::AddressFailing => "address_failing",
            AlertKind::Overdue => "overdue",
            AlertKind::VeryOverdue => "very_overdue",
            AlertKind::DueSoon => "due_soon",
            AlertKind::ClarificationWaiting => "clarification_waiting",
            AlertKind::ReviewDue => "review_due",
        }
    }

    fn heading(self, cfg: &ReminderConfig) -> String {
        match self {
            AlertKind::AddressFailing => {
                "Mail to the body's address failed: correct it with an import".into()
            }
            AlertKind::Overdue => "Newly overdue".into(),
            AlertKind::VeryOverdue => "Very overdue".into(),
            AlertKind::DueSoon => format!("Due within {} working days", cfg.due_soon_working_days),
            AlertKind::ClarificationWaiting => {
                format!("Awaiting your clarification for {} days or more", cfg.clarification_days)
            }
            AlertKind::ReviewDue => "Internal reviews due".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DigestItem {
    pub kind: AlertKind,
    pub request_id: i64,
    pub reference: String,
    pub body: String,
    /// The date the alert is about: the due date, review due date or clarification date.
    pub date: Option<NaiveDate>,
    #[serde(skip)]
    clock_key: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Digest {
    pub to: String,
    /// The slug of the workspace whose requests it lists: one digest per person and workspace.
    pub workspace: String,
    pub subject: String,
    pub items: Vec<DigestItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip)]
    workspace_id: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChaserView {
    /// `chaser` (a follow-up) or `review_request` (a request for internal review).
    pub kind: String,
    pub request_id: i64,
    pub reference: String,
    pub to: String,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip)]
    workspace_id: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemindSummary {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    /// One digest per person with something new to hear; none for anyone else.
    pub digests: Vec<Digest>,
    /// Follow-ups to late bodies, for campaigns that chase.
    pub chasers: Vec<ChaserView>,
    /// Late requests that would be chased but whose body has no email address.
    pub chasers_without_email: Vec<super::views::SkippedRequest>,
}

/// A late request that was not chased for want of an address, with its workspace's id.
type Unchased = (i64, super::views::SkippedRequest);

/// The working days overdue a campaign may wait before chasing: a chaser on the day the
/// deadline passes is too soon to be fair, and past 200 working days (most of a year) the
/// internal review or the regulator is the next step, not a chaser.
pub const CHASE_AFTER: std::ops::RangeInclusive<u32> = 1..=200;

impl Service {
    /// Works out and queues today's digests; a dry run returns them and records nothing.
    pub fn remind(
        &self,
        actor: Option<&Actor>,
        today: NaiveDate,
        dry_run: bool,
    ) -> ServiceResult<RemindSummary> {
        if let Some(actor) = actor {
            actor.require(actor.role.can_manage_users(), "run the reminders")?;
        }
        let cfg = self.reminders().clone();
        let mail = self.mail().clone();
        let secret = self.reply_secret()?;
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            // Two instances at 07:00: the second waits, then finds every alert recorded.
            store::exclusive(conn, store::Exclusive::Reminders)?;
            let regimes = self.regimes_on(conn)?;
            let horizon = regimes
                .get("foia")
                .map_err(|e| ServiceError::internal_from("The built-in regime foia is missing", e))?;
            let until = horizon.add(today, cfg.due_soon_working_days);
            // One digest per person and workspace, so that no digest mixes two teams' requests.
            let mut found = Digests::default();
            for row in reminders::candidates(conn, until)? {
                let state = row.state;
                let status = status_on(state, row.due_on, row.very_overdue_on, today);
                let item = match status {
                    Status::VeryOverdue => Some((AlertKind::VeryOverdue, row.very_overdue_on, None)),
                    Status::Overdue => Some((AlertKind::Overdue, row.due_on, None)),
                    Status::AwaitingResponse => Some((AlertKind::DueSoon, row.due_on, None)),
                    Status::InternalReview => Some((AlertKind::ReviewDue, row.review_due_on, None)),
                    Status::AwaitingClarification => clarification_asked(conn, row.id)?
                        .filter(|(_, on)| (today - *on).num_days() >= cfg.clarification_days)
                        .map(|(event_id, on)| {
                            (AlertKind::ClarificationWaiting, Some(on), Some(event_id.to_string()))
                        }),
                    _ => None,
                };
                let Some((kind, date, key)) = item else { continue };
                let clock_key = key.unwrap_or_else(|| date.map(|d| d.to_string()).unwrap_or_default());
                found.add(conn, &row, kind, date, clock_key)?;
            }
            // Each failure once: a new one, after the address was corrected, is a new clock.
            for (row, failed_at) in reminders::sent_to_failing_addresses(conn)? {
                let key = failed_at.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
                let on = crate::domain::london::london_date(failed_at.and_utc());
                found.add(conn, &row, AlertKind::AddressFailing, Some(on), key)?;
            }
            let mut digests = Vec::new();
            for ((user_id, workspace_id), mut items) in found.by_user {
                let Some(user) = users::by_id(conn, user_id)? else { continue };
                items.sort_by(|a, b| (a.kind, &a.reference).cmp(&(b.kind, &b.reference)));
                let workspace =
                    store::workspaces::by_id(conn, workspace_id)?.map(|w| w.slug).unwrap_or_default();
                let subject =
                    format!("foitrack: {} request(s) need attention in {workspace} ({today})", items.len());
                let body = digest_text(&items, today, &cfg);
                if !dry_run {
                    let stamp = now();
                    let outbox_id = store_outbox::insert(
                        conn,
                        &NewOutbox {
                            kind: OutboxKind::Digest,
                            request_id: None,
                            campaign_id: None,
                            message_id: message_id(
                                &format!("digest.{today}.{user_id}.{workspace_id}"),
                                &mail.reply_domain,
                            ),
                            from_address: mail.from.clone(),
                            to_address: user.email.clone(),
                            reply_to: None,
                            subject: subject.clone(),
                            body: body.clone(),
                            state: OutboxState::Pending,
                            next_attempt_at: stamp,
                            created_by: user_id,
                            created_at: stamp,
                            workspace_id: Some(workspace_id),
                        },
                    )?;
                    for item in &items {
                        reminders::record_alert(
                            conn,
                            item.request_id,
                            item.kind.as_str(),
                            &item.clock_key,
                            user_id,
                            outbox_id,
                            stamp,
                        )?;
                    }
                }
                digests.push(Digest {
                    to: user.email,
                    workspace,
                    subject,
                    items,
                    body: dry_run.then_some(body),
                    workspace_id,
                });
            }
            let (mut chasers, mut without_email) =
                self.queue_chasers(conn, &regimes, &secret, today, dry_run)?;
            // Everything is queued; over the API, the summary shows only what the caller may
            // read (a site administrator sees a workspace's requests only as its member).
            if let Some(actor) = actor {
                digests.retain(|d| actor.membership(d.workspace_id).is_some());
                chasers.retain(|c| actor.membership(c.workspace_id).is_some());
                without_email.retain(|(workspace, _)| actor.membership(*workspace).is_some());
            }
            let chasers_without_email = without_email.into_iter().map(|(_, skipped)| skipped).collect();
            Ok(RemindSummary { as_of: today, dry_run, digests, chasers, chasers_without_email })
        })
    }

    /// Queues follow-ups to bodies late on campaigns that chase: a chaser once a request is the
    /// campaign's number of working days overdue, a request for internal review once it is very
    /// overdue. Each once per lapse (recorded as an alert of the campaign's owner).
    fn queue_chasers(
        &self,
        conn: &mut store::AnyConnection,
        regimes: &crate::domain::regime::Regimes,
        secret: &str,
        today: NaiveDate,
        dry_run: bool,
    ) -> ServiceResult<(Vec<ChaserView>, Vec<Unchased>)> {
        let mail = self.mail().clone();
        let (mut queued, mut no_email) = (Vec::new(), Vec::new());
        for campaign in store::campaigns::chasing(conn)? {
            for row in store::requests::late_in_campaign(conn, campaign.id, today)? {
                // One request under a regime since removed from the settings must not stop
                // everyone's reminders.
                let Ok(regime) = regimes.get(&row.regime) else {
                    tracing::warn!(request = %row.reference, regime = %row.regime, "not chased: unknown regime");
                    continue;
                };
                let (Some(due), Some(very)) = (row.due_on, row.very_overdue_on) else { continue };
                let (kind, template, key) = if today > very {
                    (OutboxKind::ReviewRequest, "review", very)
                } else if regime.count_between(due.succ_opt().unwrap_or(due), today)
                    >= campaign.chase_after_working_days.max(0) as u32
                {
                    (OutboxKind::Chaser, "chaser", due)
                } else {
                    continue;
                };
                let key = key.to_string();
                if reminders::alert_sent(conn, row.id, kind.as_str(), &key, campaign.created_by)? {
                    continue;
                }
                let authority = authorities::by_id(conn, row.authority_id)?;
                let own = super::contacts::own_address(conn, row.workspace_id, row.authority_id)?;
                let Some(to) = own.or_else(|| authority.as_ref().and_then(|a| a.email.clone())) else {
                    no_email.push((
                        row.workspace_id,
                        super::views::SkippedRequest {
                            id: row.id,
                            reference: row.reference.clone(),
                            reason: "the body has no email address".into(),
                        },
                    ));
                    continue;
                };
                let context = serde_json::json!({
                    "request": {
                        "reference": row.reference, "subject": row.subject, "body": row.body,
                        "received_on": row.received_on.or(row.sent_on).map(|d| d.to_string()),
                        "due_on": due.to_string(), "very_overdue_on": very.to_string(),
                        "body_reference": row.body_reference,
                    },
                    "authority": {"name": authority.map(|a| a.name).unwrap_or_default()},
                    "campaign": {"title": campaign.title},
                    "regime": {"name": regime.rules.name, "description": regime.rules.description},
                    "sender": {
                        "name": mail.from.split('<').next().unwrap_or("").trim().trim_matches('"'),
                        "address": super::outbox::bare_address(&mail.from),
                    },
                });
                let render = |part: &str| {
                    self.templates().render(&format!("{template}.{part}"), &context).map_err(|e| {
                        ServiceError::internal_from(format!("The template {template}.{part} failed"), e)
                    })
                };
                let (subject, body) = (render("subject")?.trim().to_string(), render("body")?);
                if !dry_run {
                    let stamp = now();
                    let outbox_id = store_outbox::insert(
                        conn,
                        &NewOutbox {
                            kind,
                            request_id: Some(row.id),
                            campaign_id: Some(campaign.id),
                            message_id: message_id(
                                &format!("{kind}.{}", row.reference.to_lowercase()),
                                &mail.reply_domain,
                            ),
                            from_address: mail.from.clone(),
                            to_address: to.clone(),
                            reply_to: Some(super::outbox::reply_address(secret, &mail.reply_domain, row.id)),
                            subject: subject.clone(),
                            body: body.clone(),
                            state: OutboxState::Pending,
                            next_attempt_at: stamp,
                            created_by: campaign.created_by,
                            created_at: stamp,
                            workspace_id: Some(campaign.workspace_id),
                        },
                    )?;
                    reminders::record_alert(
                        conn,
                        row.id,
                        kind.as_str(),
                        &key,
                        campaign.created_by,
                        outbox_id,
                        stamp,
                    )?;
                }
                queued.push(ChaserView {
                    kind: kind.to_string(),
                    request_id: row.id,
                    reference: row.reference.clone(),
                    to,
                    subject,
                    body: dry_run.then_some(body),
                    workspace_id: row.workspace_id,
                });
            }
        }
        Ok((queued, no_email))
    }

    /// Turns chasing on or off for a campaign, and sets after how many working days overdue.
    pub fn set_chasers(
        &self,
        actor: &Actor,
        campaign_id: i64,
        enabled: bool,
        after_working_days: Option<u32>,
    ) -> ServiceResult<()> {
        let intent = Intent::Change(WorkspaceRole::can_manage_campaigns, "change a campaign's chasers");
        let campaign = self.campaign_for(&mut *self.db().conn()?, actor, campaign_id, intent)?;
        if let Some(days) = after_working_days.filter(|d| !CHASE_AFTER.contains(d)) {
            return Err(ServiceError::invalid_fields(vec![super::FieldError::new(
                "after_working_days",
                format!(
                    "must be between {} and {} working days; {days} is not",
                    CHASE_AFTER.start(),
                    CHASE_AFTER.end()
                ),
            )]));
        }
        let mut conn = self.db().conn()?;
        let after = after_working_days.map(|d| d as i32).unwrap_or(campaign.chase_after_working_days);
        store::campaigns::set_chasers(&mut conn, campaign_id, enabled, after)?;
        Ok(())
    }

    /// Adds (or with `watch = false` removes) a watcher of a campaign's reminders.
    pub fn watch_campaign(
        &self,
        actor: &Actor,
        campaign_id: i64,
        email: &str,
        watch: bool,
    ) -> ServiceResult<()> {
        let mut conn = self.db().conn()?;
        let intent = Intent::Change(WorkspaceRole::can_manage_campaigns, "change who watches a campaign");
        let campaign = self.campaign_for(&mut conn, actor, campaign_id, intent)?;
        let key = crate::domain::newtypes::EmailAddress::parse(email)
            .map(|e| e.as_str().to_lowercase())
            .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new("user", e.to_string())]))?;
        // An unknown email and a non-member get the same answer, so that this cannot be used to
        // learn who has an account on the site.
        let not_member = || {
            ServiceError::invalid_fields(vec![FieldError::new(
                "user",
                format!("{key} is not a member of the campaign's workspace; only members get its reminders"),
            )])
        };
        let user = users::by_email(&mut conn, &key)?.ok_or_else(not_member)?;
        if watch && store::workspaces::membership(&mut conn, campaign.workspace_id, user.id)?.is_none() {
            return Err(not_member());
        }
        let changed = if watch {
            reminders::add_watcher(&mut conn, campaign_id, user.id)?
        } else {
            reminders::remove_watcher(&mut conn, campaign_id, user.id)?
        };
        if !changed {
            let already = if watch { "already watches" } else { "does not watch" };
            return Err(ServiceError::Conflict(format!("{} {already} campaign {campaign_id}.", user.email)));
        }
        Ok(())
    }
}

/// Today's digest items, by person and workspace, as they are found.
#[derive(Default)]
struct Digests {
    /// One digest per person and workspace, so that no digest mixes two teams' requests.
    by_user: BTreeMap<(i64, i64), Vec<DigestItem>>,
    /// Many requests share a campaign: its people are looked up once.
    recipients: BTreeMap<i64, Vec<i64>>,
}

impl Digests {
    /// An alert about `row` for each of its campaign's people not yet told of it.
    fn add(
        &mut self,
        conn: &mut store::AnyConnection,
        row: &RequestRow,
        kind: AlertKind,
        date: Option<NaiveDate>,
        clock_key: String,
    ) -> ServiceResult<()> {
        let Some(campaign) = row.campaign_id else { return Ok(()) };
        if let std::collections::btree_map::Entry::Vacant(slot) = self.recipients.entry(campaign) {
            slot.insert(reminders::recipients(conn, campaign)?);
        }
        let mut body = None;
        for &user in &self.recipients[&campaign] {
            if reminders::alert_sent(conn, row.id, kind.as_str(), &clock_key, user)? {
                continue;
            }
            if body.is_none() {
                body = Some(authorities::by_id(conn, row.authority_id)?.map(|a| a.name).unwrap_or_default());
            }
            self.by_user.entry((user, row.workspace_id)).or_default().push(DigestItem {
                kind,
                request_id: row.id,
                reference: row.reference.clone(),
                body: body.clone().unwrap_or_default(),
                date,
                clock_key: clock_key.clone(),
            });
        }
        Ok(())
    }
}

/// The id and date of the clarification request the request is waiting on.
fn clarification_asked(
    conn: &mut store::AnyConnection,
    request_id: i64,
) -> ServiceResult<Option<(i64, NaiveDate)>> {
    Ok(events::of_request(conn, request_id)?
        .into_iter()
        .filter(|e| e.kind == EventKind::ClarificationRequested)
        .max_by_key(|e| (e.occurred_on, e.id))
        .map(|e| (e.id, e.occurred_on)))
}

fn digest_text(items: &[DigestItem], today: NaiveDate, cfg: &ReminderConfig) -> String {
    let mut text = format!("Good morning. Your FOI requests as of {}:\n", today.format("%A %-d %B %Y"));
    let mut kinds: Vec<AlertKind> = items.iter().map(|i| i.kind).collect();
    kinds.dedup();
    for kind in kinds {
        let group: Vec<&DigestItem> = items.iter().filter(|i| i.kind == kind).collect();
        text.push_str(&format!("\n{} ({}):\n", kind.heading(cfg), group.len()));
        for i in group {
            let date = i.date.map(|d| format!("  {d}")).unwrap_or_default();
            text.push_str(&format!("  {}  {}{date}  (request {})\n", i.reference, i.body, i.request_id));
        }
    }
    text.push_str(
        "\nEach request appears once for each lapse. See the details with `foitrack requests show REFERENCE`.\n\
         You receive this because you own or watch these campaigns; to stop, ask for \
         `foitrack campaigns unwatch ID --user YOU`.\n",
    );
    text
}
