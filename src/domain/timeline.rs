//! Replaying a request's events: the one place that decides whether a timeline makes sense and
//! what state and dates follow from it. Recording an event means replaying the timeline with the
//! new event in its place; if the replay fails, nothing is stored.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::calendar::WorkingDays;
use super::event::{EventDetails, EventKind, TimelineEvent};
use super::status::State;
use super::vocab::Outcome;

/// Working days a body has to respond, and after which WhatDoTheyKnow calls a request very
/// overdue. The statutory deadline engine replaces these with per-regime rules.
pub const RESPONSE_DAYS: u32 = 20;
pub const VERY_OVERDUE_DAYS: u32 = 40;
pub const REVIEW_DAYS: u32 = 20;
/// A public interest extension with no stated date: ICO guidance allows a further 20 days.
pub const DEFAULT_EXTENSION_DAYS: u32 = 20;

/// Why a timeline does not make sense. Each message is a sentence for the researcher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("{0}")]
    Conflict(String),
}

fn conflict(msg: impl Into<String>) -> TimelineError {
    TimelineError::Conflict(msg.into())
}

/// What follows from a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub state: State,
    pub sent_on: Option<NaiveDate>,
    /// The details of the (unretracted) sending: when, how, to what address.
    pub sending: Option<EventDetails>,
    /// The date the current response clock started (receipt, or the clarification date).
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub very_overdue_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
    pub body_reference: Option<String>,
    pub outcome: Option<Outcome>,
    pub responded_on: Option<NaiveDate>,
}

impl Derived {
    fn draft() -> Self {
        Self {
            state: State::Draft,
            sent_on: None,
            sending: None,
            clock_started_on: None,
            due_on: None,
            very_overdue_on: None,
            review_due_on: None,
            body_reference: None,
            outcome: None,
            responded_on: None,
        }
    }
}

fn state_for(outcome: Outcome) -> State {
    match outcome {
        Outcome::Full | Outcome::Other => State::Answered,
        Outcome::Partial => State::PartiallyAnswered,
        Outcome::Refused => State::Refused,
        Outcome::NotHeld => State::NotHeld,
    }
}

struct Clock<'a> {
    calendar: &'a WorkingDays,
    started_on: NaiveDate,
    /// Working days disregarded while fees were outstanding (FOIA s.10(2)).
    disregarded: u32,
    fee_notice_on: Option<NaiveDate>,
    extended_to: Option<NaiveDate>,
}

impl Clock<'_> {
    fn due_on(&self) -> NaiveDate {
        self.extended_to
            .unwrap_or_else(|| self.calendar.add(self.started_on, RESPONSE_DAYS + self.disregarded))
    }

    fn very_overdue_on(&self) -> NaiveDate {
        let very = self.calendar.add(self.started_on, VERY_OVERDUE_DAYS + self.disregarded);
        very.max(self.due_on())
    }
}

/// Replays `events` (any order; sorted here by date, then id) and returns what follows, or the
/// first reason the timeline does not make sense. `today` bounds event dates.
pub fn replay(
    events: &[TimelineEvent],
    calendar: &WorkingDays,
    today: NaiveDate,
) -> Result<Derived, TimelineError> {
    if let Some(e) = events.iter().find(|e| e.occurred_on > today) {
        return Err(conflict(format!(
            "{} cannot be dated {}: that is in the future.",
            capitalise(e.kind.phrase()),
            e.occurred_on
        )));
    }
    let retracted = retracted_ids(events)?;
    let mut ordered: Vec<&TimelineEvent> =
        events.iter().filter(|e| e.kind != EventKind::Retraction && !retracted.contains(&e.id)).collect();
    // The sending comes first on its day, whatever order things were recorded in.
    ordered.sort_by_key(|e| (e.occurred_on, e.kind != EventKind::Sent, e.id));

    let first_sent = ordered.iter().find(|e| e.kind == EventKind::Sent).map(|e| e.occurred_on);
    let mut derived = Derived::draft();
    let mut clock: Option<Clock> = None;
    for event in ordered {
        apply(&mut derived, &mut clock, event, calendar, first_sent)?;
        match (&clock, derived.state) {
            (Some(c), State::AwaitingResponse) => {
                derived.due_on = Some(c.due_on());
                derived.very_overdue_on = Some(c.very_overdue_on());
                derived.clock_started_on = Some(c.started_on);
            }
            // The clock is stopped: there is no due date until the body can act again.
            (_, State::AwaitingClarification | State::AwaitingFee) => {
                derived.due_on = None;
                derived.very_overdue_on = None;
            }
            // Once answered (or withdrawn), the last due date stays as the one that applied.
            _ => {}
        }
    }
    Ok(derived)
}

fn retracted_ids(events: &[TimelineEvent]) -> Result<HashSet<i64>, TimelineError> {
    let mut retracted = HashSet::new();
    for e in events.iter().filter(|e| e.kind == EventKind::Retraction) {
        let target_id =
            e.details.retracts.ok_or_else(|| conflict("A retraction must name the event it cancels."))?;
        let target = events
            .iter()
            .find(|t| t.id == target_id)
            .ok_or_else(|| conflict(format!("Event {target_id} is not on this request's timeline.")))?;
        if target.kind == EventKind::Retraction {
            return Err(conflict(format!(
                "Event {target_id} is itself a retraction; record the event again instead."
            )));
        }
        if !retracted.insert(target_id) {
            return Err(conflict(format!("Event {target_id} has already been retracted.")));
        }
    }
    Ok(retracted)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn apply<'a>(
    d: &mut Derived,
    clock: &mut Option<Clock<'a>>,
    e: &TimelineEvent,
    calendar: &'a WorkingDays,
    first_sent: Option<NaiveDate>,
) -> Result<(), TimelineError> {
    use EventKind as K;
    let on = e.occurred_on;
    if e.kind == K::Note {
        return Ok(());
    }
    if d.state.is_final() {
        return Err(conflict(format!(
            "The request is {}, so {} cannot be recorded after that; add a note instead.",
            d.state.as_str().replace('_', " "),
            e.kind.phrase()
        )));
    }
    let Some(sent_on) = d.sent_on else {
        return match e.kind {
            K::Sent => {
                d.sent_on = Some(on);
                d.sending = Some(e.details.clone());
                d.state = State::AwaitingResponse;
                *clock = Some(Clock {
                    calendar,
                    started_on: on,
                    disregarded: 0,
                    fee_notice_on: None,
                    extended_to: None,
                });
                Ok(())
            }
            K::Withdrawn => {
                d.state = State::Withdrawn;
                Ok(())
            }
            other => Err(conflict(match first_sent {
                Some(sent_on) => format!(
                    "{} cannot be dated {on}: the request was only sent on {sent_on}.",
                    capitalise(other.phrase())
                ),
                None => format!(
                    "The request has not been sent yet, so {} cannot be recorded; log it as sent first.",
                    other.phrase()
                ),
            })),
        };
    };
    if e.kind == K::Sent {
        return Err(conflict(format!("The request was already recorded as sent on {sent_on}.")));
    }
    if let Some(reference) = &e.details.body_reference {
        d.body_reference = Some(reference.clone());
    }
    let c = clock.as_mut().expect("a sent request has a clock");
    match e.kind {
        K::Acknowledged | K::IcoComplaint => {}
        K::ClarificationRequested => {
            require(
                d.state == State::AwaitingResponse,
                "a request for clarification",
                "while the request awaits a response",
            )?;
            d.state = State::AwaitingClarification;
        }
        K::ClarificationSent => {
            require(
                d.state == State::AwaitingClarification,
                "a clarification",
                "after the body asked for one",
            )?;
            // FOIA s.1(3): the clarified request is a new request with a full period.
            *c = Clock { calendar, started_on: on, disregarded: 0, fee_notice_on: None, extended_to: None };
            d.state = State::AwaitingResponse;
        }
        K::FeeNoticeGiven => {
            require(
                d.state == State::AwaitingResponse,
                "a fees notice",
                "while the request awaits a response",
            )?;
            c.fee_notice_on = Some(on);
            d.state = State::AwaitingFee;
        }
        K::FeePaid => {
            require(d.state == State::AwaitingFee, "a fee payment", "after a fees notice")?;
            let from = c.fee_notice_on.take().expect("awaiting a fee means a notice was given");
            // Day zero is never counted, so a notice given on it cannot take it out again.
            let from = from.max(c.started_on.succ_opt().expect("dates stay in range"));
            c.disregarded += calendar.count_between(from, on);
            d.state = State::AwaitingResponse;
        }
        K::ExtensionClaimed => {
            require(
                d.state == State::AwaitingResponse,
                "an extension",
                "while the request awaits a response",
            )?;
            let current = c.due_on();
            let new_due =
                e.details.new_due_on.unwrap_or_else(|| calendar.add(current, DEFAULT_EXTENSION_DAYS));
            if new_due <= current {
                return Err(conflict(format!(
                    "An extension must move the due date later than {current}, not to {new_due}."
                )));
            }
            c.extended_to = Some(new_due);
        }
        K::ResponseReceived => {
            if d.state == State::InternalReview {
                return Err(conflict(
                    "The request is under internal review; record the review's answer as internal_review_answered.",
                ));
            }
            let outcome = e.details.outcome.ok_or_else(|| conflict("A response needs its outcome."))?;
            d.state = state_for(outcome);
            d.outcome = Some(outcome);
            d.responded_on.get_or_insert(on);
        }
        K::InternalReviewRequested => {
            require(
                d.state != State::InternalReview,
                "a request for internal review",
                "when no review is already under way",
            )?;
            d.state = State::InternalReview;
            d.review_due_on = Some(calendar.add(on, REVIEW_DAYS));
        }
        K::InternalReviewAnswered => {
            require(
                d.state == State::InternalReview,
                "an internal review answer",
                "after an internal review was requested",
            )?;
            let outcome = e.details.outcome.ok_or_else(|| conflict("A review answer needs its outcome."))?;
            d.state = state_for(outcome);
            d.outcome = Some(outcome);
            d.review_due_on = None;
        }
        K::Withdrawn => d.state = State::Withdrawn,
        K::Closed => d.state = State::Closed,
        K::Sent | K::Note | K::Retraction => unreachable!("handled above"),
    }
    Ok(())
}

fn require(ok: bool, what: &str, when: &str) -> Result<(), TimelineError> {
    if ok { Ok(()) } else { Err(conflict(format!("{} can only be recorded {when}.", capitalise(what)))) }
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
