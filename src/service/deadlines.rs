//! The deadline calculator, each request's clock explained, and bank holiday updates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::timeline::{StoredTimeline, derived_fields};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::calendar::SkippedDay;
use crate::domain::event::EventKind;
use crate::domain::holidays::{BUNDLED_FEED, Division, HolidayData, rules_fingerprint};
use crate::domain::london;
use crate::domain::regime::{RegimeRules, Regimes};
use crate::domain::status::{Status, status_on};
use crate::domain::timeline::ClockStep;
use crate::store::models::{NewEvent, NewHolidayFile};
use crate::store::{self, events, holidays, requests};

/// `?regime=foia&received=2021-12-06&days=20`, for the API and the CLI alike.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// foia (default), eir, foisa, eisr, or a configured regime.
    #[param(value_type = Option<crate::service::RegimeName>)]
    pub regime: Option<String>,
    /// The date of receipt (day zero). The service refuses a request without it.
    #[param(value_type = crate::service::DateInput, required = true)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub received: Option<NaiveDate>,
    /// Count this many days instead of the regime's response period.
    #[param(minimum = 1, maximum = 1000)]
    pub days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    pub regime: String,
    pub regime_description: String,
    pub received_on: NaiveDate,
    /// The first day counted: the first working day after receipt.
    pub day_one: NaiveDate,
    pub days: u32,
    /// Whether `days` are calendar days (else working days).
    pub calendar_days: bool,
    pub due_on: NaiveDate,
    pub very_overdue_on: NaiveDate,
    /// Every non-working day after receipt up to the due date, with why.
    pub skipped: Vec<SkippedDay>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDeadlineView {
    pub request_id: i64,
    pub reference: String,
    pub regime: String,
    pub status: Status,
    pub as_of: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub original_due_on: Option<NaiveDate>,
    pub very_overdue_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
    pub review_limit_on: Option<NaiveDate>,
    /// What each event did to the clock.
    pub steps: Vec<ClockStep>,
    /// Non-working days from the start of the running period to the due date.
    pub skipped: Vec<SkippedDay>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayChange {
    pub date: NaiveDate,
    pub title: String,
    pub division: Division,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayImportSummary {
    /// Bank holidays in the new file that the rules in force did not have.
    pub added: Vec<HolidayChange>,
    /// Bank holidays in force that the new file does not have.
    pub removed: Vec<HolidayChange>,
    /// Open requests whose deadlines moved (each has a `deadline_recalculated` event).
    pub requests_updated: Vec<String>,
    pub dry_run: bool,
}

impl Service {
    pub fn list_regimes(&self) -> ServiceResult<Vec<RegimeRules>> {
        Ok(self.regimes()?.all().map(|r| r.rules.clone()).collect())
    }

    /// The calculator: due and very-overdue dates for a request received on a date.
    pub fn deadline(&self, query: &DeadlineQuery) -> ServiceResult<DeadlineView> {
        let mut errors = Vec::new();
        let received = query
            .received
            .ok_or_else(|| FieldError::new("received", "give the date of receipt, as YYYY-MM-DD"));
        if let Err(e) = &received {
            errors.push(e.clone());
        }
        if let Some(date) = query.received.filter(|d| !london::plausible(*d)) {
            errors.push(FieldError::new(
                "received",
                format!("{date} is outside the years foitrack works with"),
            ));
        }
        if query.days.is_some_and(|d| d == 0 || d > 1000) {
            errors.push(FieldError::new("days", "must be between 1 and 1000"));
        }
        let regime = match self.regime("regime", query.regime.as_deref().unwrap_or("foia")) {
            Ok(r) => Some(r),
            Err(ServiceError::Invalid { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(other) => return Err(other),
        };
        if !errors.is_empty() {
            return Err(ServiceError::invalid_fields(errors));
        }
        let (regime, received) = (regime.expect("checked"), received.expect("checked"));
        let days = query.days.unwrap_or(regime.rules.response_days);
        let due_on = regime.add(received, days);
        let very_overdue_on = regime.add(received, regime.rules.very_overdue_days).max(due_on);
        Ok(DeadlineView {
            regime: regime.rules.name.clone(),
            regime_description: regime.rules.description.clone(),
            received_on: received,
            day_one: if regime.rules.calendar_days {
                received + chrono::Duration::days(1)
            } else {
                regime.calendar.add(received, 1)
            },
            days,
            calendar_days: regime.rules.calendar_days,
            due_on,
            very_overdue_on,
            skipped: regime.calendar.skipped(received, due_on),
        })
    }

    /// How a request's deadlines were worked out, event by event.
    pub fn request_deadline(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> ServiceResult<RequestDeadlineView> {
        let regimes = self.regimes()?;
        let mut conn = self.db().conn()?;
        self.request_for(&mut conn, actor, id, super::access::Intent::Read)?;
        let stored = StoredTimeline::load(&mut conn, id)?;
        let derived = stored.replay(&regimes, None)?;
        let regime = stored.regime(&regimes)?;
        let row = stored.request;
        let skipped = match (derived.clock_started_on.or(derived.received_on), derived.due_on) {
            (Some(start), Some(due)) => regime.calendar.skipped(start, due),
            _ => Vec::new(),
        };
        Ok(RequestDeadlineView {
            request_id: id,
            reference: row.reference,
            regime: row.regime,
            status: status_on(derived.state, derived.due_on, derived.very_overdue_on, today),
            as_of: today,
            sent_on: derived.sent_on,
            received_on: derived.received_on,
            clock_started_on: derived.clock_started_on,
            due_on: derived.due_on,
            original_due_on: derived.original_due_on,
            very_overdue_on: derived.very_overdue_on,
            review_due_on: derived.review_due_on,
            review_limit_on: derived.review_limit_on,
            steps: derived.steps,
            skipped,
        })
    }

    /// Puts a newer gov.uk bank holiday file in force, then works out again the deadlines of
    /// every open request, recording on each request whose dates moved what changed. All in one
    /// transaction: either the file and every change land, or nothing does. The file already in
    /// force changes nothing and is not stored again.
    pub fn import_holidays(
        &self,
        actor: &Actor,
        json: &str,
        dry_run: bool,
    ) -> ServiceResult<HolidayImportSummary> {
        actor.require(actor.role.can_manage_users(), "change the bank holidays")?;
        let data = HolidayData::from_gov_uk_json(json)
            .map_err(|e| ServiceError::invalid(format!("The file cannot be used: {e}.")))?;
        let new = std::sync::Arc::new(self.build_regimes(&data)?);
        let mut conn = self.db().conn()?;
        let stamp = now();
        let mut changes = (Vec::new(), Vec::new());
        let updated = store::write_transaction(&mut conn, |conn| {
            store::exclusive(conn, store::Exclusive::HolidayImport)?;
            // What is in force is read under the lock, so two imports cannot both start from it.
            // The same file again (a weekly `holidays update` when gov.uk has not changed) is
            // already in force: storing it would only grow the table and make every instance
            // rebuild its calendars.
            let in_force = holidays::current(conn)?.map(|f| f.content);
            if in_force.as_deref().unwrap_or(BUNDLED_FEED) == json {
                return Ok(Vec::new());
            }
            let old = self.regimes_on(conn)?;
            changes = holiday_changes(&current_holidays(conn)?, &data);
            if !dry_run {
                holidays::insert(
                    conn,
                    &NewHolidayFile { content: json, imported_by: actor.user_id, imported_at: stamp },
                )?;
            }
            let pass = Recalculation {
                before: Before::Replay(&old),
                new: &new,
                recorded_by: Some(actor.user_id),
                why: "Bank holidays updated",
                dry_run,
                stamp,
            };
            let updated = pass.open_requests(conn)?;
            Ok::<_, ServiceError>(updated)
        })?;
        if !dry_run {
            // Pick the new file up now rather than on the next check.
            self.regimes()?;
        }
        let (added, removed) = changes;
        Ok(HolidayImportSummary { added, removed, requests_updated: updated, dry_run })
    }

    /// Brings stored deadlines in line with the holiday rules of this build, once: when the
    /// database has never seen this build's fingerprint (a new build, or the first start after
    /// this check existed), every open request is worked out again from its events and each whose
    /// dates moved gets a `deadline_recalculated` event. Instances starting together take turns
    /// under the holiday lock, and only the first finds work to do; a build whose rules were
    /// applied before (a rollback) changes nothing. Returns the references moved.
    pub fn refresh_holiday_rules(&self) -> ServiceResult<Vec<String>> {
        let fingerprint = rules_fingerprint();
        let mut conn = self.db().conn()?;
        if holidays::rules_applied(&mut conn, &fingerprint)? {
            return Ok(Vec::new());
        }
        let stamp = now();
        let updated = store::write_transaction(&mut conn, |conn| {
            store::exclusive(conn, store::Exclusive::HolidayImport)?;
            if holidays::rules_applied(conn, &fingerprint)? {
                return Ok(Vec::new());
            }
            // Minutes for a million open requests: say why nothing else happens meanwhile.
            tracing::info!(
                "working out every open request's deadline again under this build's bank holiday rules (once per new build)"
            );
            let new = self.regimes_on(conn)?;
            let pass = Recalculation {
                before: Before::Stored,
                new: &new,
                recorded_by: None,
                why: "Bank holiday rules updated with foitrack",
                dry_run: false,
                stamp,
            };
            let updated = pass.open_requests(conn)?;
            holidays::set_rules_fingerprint(conn, &fingerprint, stamp)?;
            Ok::<_, ServiceError>(updated)
        })?;
        if !updated.is_empty() {
            tracing::info!(
                requests = updated.len(),
                "deadlines recalculated under the new bank holiday rules"
            );
        }
        Ok(updated)
    }

    /// What an operator should act on, for `serve` at start and `/healthz`: today, only holiday
    /// data in force that runs out within a year.
    pub fn warnings(&self, today: NaiveDate) -> ServiceResult<Vec<String>> {
        let last_year = self.holiday_data_ends()?;
        let ends = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("a valid year");
        let mut out = Vec::new();
        if ends < today + chrono::Months::new(12) {
            out.push(format!(
                "The bank holiday data in force ends with {last_year}. Later deadlines follow foitrack's rules, \
                 which cannot know holidays proclaimed since; run `foitrack holidays update` to load the \
                 newest gov.uk file."
            ));
        }
        Ok(out)
    }
}

/// Where the deadlines before a change come from.
enum Before<'a> {
    /// A replay under the rules that were in force.
    Replay(&'a Regimes),
    /// The dates stored on each request: after an upgrade the old rules are no longer in the
    /// program, but what they gave is still in the database.
    Stored,
}

/// One pass over the open requests after the holidays changed: works each one out again under
/// `new` and records a `deadline_recalculated` event on each whose dates moved.
struct Recalculation<'a> {
    before: Before<'a>,
    new: &'a Regimes,
    /// Who the events are recorded by; `None` for the request's last recorder (an upgrade has
    /// no one acting).
    recorded_by: Option<i64>,
    why: &'a str,
    dry_run: bool,
    stamp: chrono::NaiveDateTime,
}

impl Recalculation<'_> {
    /// The references of the requests whose dates moved.
    fn open_requests(&self, conn: &mut store::AnyConnection) -> ServiceResult<Vec<String>> {
        let mut updated = Vec::new();
        for id in requests::open_ids(conn)? {
            // An event recorded meanwhile waits for this lock, then reads the new holidays.
            requests::lock_quietly(conn, id)?;
            let stored = StoredTimeline::load(conn, id)?;
            let before = match self.before {
                Before::Replay(old) => {
                    let d = stored.replay(old, None)?;
                    [d.due_on, d.very_overdue_on, d.review_due_on]
                }
                Before::Stored => {
                    let r = &stored.request;
                    [r.due_on, r.very_overdue_on, r.review_due_on]
                }
            };
            let after = match stored.replay(self.new, None) {
                Ok(after) => after,
                // On upgrade nobody is there to correct the timeline: leave the request as it
                // was and say so, rather than refuse to start.
                Err(e) if matches!(self.before, Before::Stored) => {
                    tracing::warn!(reference = %stored.request.reference, "deadlines not recalculated: {e}");
                    continue;
                }
                Err(e) => {
                    return Err(ServiceError::Conflict(format!(
                        "Under the new bank holidays the timeline of {} no longer makes sense: {e} \
                         Nothing was changed; retract or correct that event first.",
                        stored.request.reference
                    )));
                }
            };
            let moved: Vec<String> = ["due", "very overdue after", "review due"]
                .iter()
                .zip(before)
                .zip([after.due_on, after.very_overdue_on, after.review_due_on])
                .filter(|((_, b), a)| b != a)
                .map(|((what, b), a)| format!("{what} {} → {}", show(b), show(a)))
                .collect();
            if moved.is_empty() {
                continue;
            }
            if self.dry_run {
                updated.push(stored.request.reference.clone());
                continue;
            }
            let recorded_by = match self.recorded_by {
                Some(user) => user,
                // An open request has at least its sending recorded.
                None => match events::of_request(conn, id)?.last() {
                    Some(e) => e.recorded_by,
                    None => continue,
                },
            };
            updated.push(stored.request.reference.clone());
            events::insert(
                conn,
                &NewEvent {
                    request_id: id,
                    kind: EventKind::DeadlineRecalculated,
                    occurred_on: london::today(),
                    details: "{}".into(),
                    note: Some(format!("{}: {}.", self.why, moved.join("; "))),
                    recorded_by,
                    recorded_at: self.stamp,
                },
            )?;
            requests::update_derived(conn, id, &derived_fields(after, self.stamp))?;
        }
        Ok(updated)
    }
}

fn current_holidays(conn: &mut store::AnyConnection) -> ServiceResult<HolidayData> {
    match holidays::current(conn)? {
        Some(f) => HolidayData::from_gov_uk_json(&f.content).map_err(|e| {
            ServiceError::internal_from(format!("The stored holiday file {} cannot be read", f.id), e)
        }),
        None => Ok(HolidayData::bundled()),
    }
}

fn show(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "none".into())
}

/// Holidays added and removed between two sets of data, over the years either file lists.
fn holiday_changes(old: &HolidayData, new: &HolidayData) -> (Vec<HolidayChange>, Vec<HolidayChange>) {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for division in Division::ALL {
        let years = [old.feed_years(*division), new.feed_years(*division)];
        let first = years.iter().flatten().map(|y| y.0).min().unwrap_or(0);
        let last = years.iter().flatten().map(|y| y.1).max().unwrap_or(-1);
        for year in first..=last {
            let (a, b) = (old.holidays(*division, year), new.holidays(*division, year));
            for h in b.iter().filter(|h| !a.iter().any(|o| o.date == h.date)) {
                added.push(HolidayChange { date: h.date, title: h.title.clone(), division: *division });
            }
            for h in a.iter().filter(|h| !b.iter().any(|n| n.date == h.date)) {
                removed.push(HolidayChange { date: h.date, title: h.title.clone(), division: *division });
            }
        }
    }
    (added, removed)
}
