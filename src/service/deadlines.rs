//! The deadline calculator, each request's clock explained, and bank holiday updates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::timeline::{StoredTimeline, derived_fields};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::calendar::SkippedDay;
use crate::domain::event::EventKind;
use crate::domain::holidays::{Division, HolidayData};
use crate::domain::london;
use crate::domain::regime::RegimeRules;
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
    pub regime: Option<String>,
    /// The date of receipt (day zero).
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub received: Option<NaiveDate>,
    /// Count this many days instead of the regime's response period.
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
    pub fn request_deadline(&self, id: i64, today: NaiveDate) -> ServiceResult<RequestDeadlineView> {
        let regimes = self.regimes()?;
        let mut conn = self.db().conn()?;
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
    /// transaction: either the file and every change land, or nothing does.
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
            let old = self.regimes_on(conn)?;
            changes = holiday_changes(&current_holidays(conn)?, &data);
            if !dry_run {
                holidays::insert(
                    conn,
                    &NewHolidayFile { content: json, imported_by: actor.user_id, imported_at: stamp },
                )?;
            }
            let mut updated = Vec::new();
            for id in requests::open_ids(conn)? {
                // An event recorded meanwhile waits for this lock, then reads the new holidays.
                requests::lock_quietly(conn, id)?;
                let stored = StoredTimeline::load(conn, id)?;
                let before = stored.replay(&old, None)?;
                let after = stored.replay(&new, None).map_err(|e| {
                    ServiceError::Conflict(format!(
                        "Under the new bank holidays the timeline of {} no longer makes sense: {e} \
                         Nothing was changed; retract or correct that event first.",
                        stored.request.reference
                    ))
                })?;
                let moved: Vec<String> = [
                    ("due", before.due_on, after.due_on),
                    ("very overdue after", before.very_overdue_on, after.very_overdue_on),
                    ("review due", before.review_due_on, after.review_due_on),
                ]
                .iter()
                .filter(|(_, b, a)| b != a)
                .map(|(what, b, a)| format!("{what} {} → {}", show(*b), show(*a)))
                .collect();
                if moved.is_empty() {
                    continue;
                }
                updated.push(stored.request.reference.clone());
                if dry_run {
                    continue;
                }
                events::insert(
                    conn,
                    &NewEvent {
                        request_id: id,
                        kind: EventKind::DeadlineRecalculated,
                        occurred_on: london::today(),
                        details: "{}".into(),
                        note: Some(format!("Bank holidays updated: {}.", moved.join("; "))),
                        recorded_by: actor.user_id,
                        recorded_at: stamp,
                    },
                )?;
                requests::update_derived(conn, id, &derived_fields(after, stamp))?;
            }
            Ok::<_, ServiceError>(updated)
        })?;
        if !dry_run {
            // Pick the new file up now rather than on the next check.
            self.regimes()?;
        }
        let (added, removed) = changes;
        Ok(HolidayImportSummary { added, removed, requests_updated: updated, dry_run })
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
