//! Replaying a request's events: the one place that decides whether a timeline makes sense and
//! what state and deadlines follow from it, and that explains them step by step. Recording an
//! event means replaying the timeline with the new event in its place; if the replay fails,
//! nothing is stored.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::event::{EventDetails, EventKind, TimelineEvent};
use super::regime::{ExtensionRule, Regime};
use super::status::State;
use super::vocab::{Channel, Outcome};

/// Why a timeline does not make sense. Each message is a sentence for the researcher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("{0}")]
    Conflict(String),
}

fn conflict(msg: impl Into<String>) -> TimelineError {
    TimelineError::Conflict(msg.into())
}

/// What one event did to the clock, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ClockStep {
    pub event_id: i64,
    pub kind: EventKind,
    pub on: NaiveDate,
    pub effect: String,
}

/// What follows from a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Derived {
    pub state: State,
    pub sent_on: Option<NaiveDate>,
    /// The date of receipt of the request (day zero of the first period).
    pub received_on: Option<NaiveDate>,
    /// The details of the (unretracted) sending: when, how, to what address.
    pub sending: Option<EventDetails>,
    /// The date the current response clock started (receipt, or the clarification date).
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// The due date before an extension moved it.
    pub original_due_on: Option<NaiveDate>,
    pub very_overdue_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
    /// The outer limit for the review, where the regime sets one (FOIA: 40 working days).
    pub review_limit_on: Option<NaiveDate>,
    pub body_reference: Option<String>,
    pub outcome: Option<Outcome>,
    pub responded_on: Option<NaiveDate>,
    /// The clock's story, one step per event that mattered.
    pub steps: Vec<ClockStep>,
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
    regime: &'a Regime,
    started_on: NaiveDate,
    /// Working days disregarded while fees were outstanding (FOIA s.10(2)).
    disregarded: u32,
    fee_notice_on: Option<NaiveDate>,
    extended_to: Option<NaiveDate>,
}

impl<'a> Clock<'a> {
    fn start(regime: &'a Regime, on: NaiveDate) -> Self {
        Self { regime, started_on: on, disregarded: 0, fee_notice_on: None, extended_to: None }
    }

    fn unextended_due_on(&self) -> NaiveDate {
        self.regime.add(self.started_on, self.regime.rules.response_days + self.disregarded)
    }

    fn due_on(&self) -> NaiveDate {
        self.extended_to.unwrap_or_else(|| self.unextended_due_on())
    }

    fn very_overdue_on(&self) -> NaiveDate {
        let very = self.regime.add(self.started_on, self.regime.rules.very_overdue_days + self.disregarded);
        very.max(self.due_on())
    }
}

/// Replays `events` (any order; sorted here by date, the sending first on its day, then id)
/// under `regime`, and returns what follows, or the first reason the timeline does not make
/// sense. `today` bounds event dates.
pub fn replay(events: &[TimelineEvent], regime: &Regime, today: NaiveDate) -> Result<Derived, TimelineError> {
    if let Some(received) = events.iter().filter_map(|e| e.details.received_on).find(|r| *r > today) {
        return Err(conflict(format!("The date of receipt cannot be {received}: that is in the future.")));
    }
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
    ordered.sort_by_key(|e| (e.occurred_on, e.kind != EventKind::Sent, e.id));
    // A second sending is refused with the date of the one already stored (the lower id; an
    // event being proposed has the highest), even when the attempt is dated earlier and so
    // comes first in date order.
    let mut sendings: Vec<&TimelineEvent> =
        ordered.iter().copied().filter(|e| e.kind == EventKind::Sent).collect();
    if sendings.len() > 1 {
        sendings.sort_by_key(|e| e.id);
        return Err(conflict(format!(
            "The request was already recorded as sent on {}.",
            sendings[0].occurred_on
        )));
    }

    let first_sent = ordered.iter().find(|e| e.kind == EventKind::Sent).map(|e| e.occurred_on);
    let mut derived = Derived::default();
    let mut clock: Option<Clock> = None;
    for event in ordered {
        let effect = apply(&mut derived, &mut clock, event, regime, first_sent)?;
        match (&clock, derived.state) {
            (Some(c), State::AwaitingResponse) => {
                derived.due_on = Some(c.due_on());
                derived.original_due_on = c.extended_to.map(|_| c.unextended_due_on());
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
        if let Some(effect) = effect {
            derived.steps.push(ClockStep {
                event_id: event.id,
                kind: event.kind,
                on: event.occurred_on,
                effect,
            });
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
            .find(|t| t.id == target_id && t.id != e.id)
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

fn require(ok: bool, what: &str, when: &str) -> Result<(), TimelineError> {
    if ok { Ok(()) } else { Err(conflict(format!("{} can only be recorded {when}.", capitalise(what)))) }
}

/// Applies one event; returns what it did to the clock, if it is worth a line.
fn apply<'a>(
    d: &mut Derived,
    clock: &mut Option<Clock<'a>>,
    e: &TimelineEvent,
    regime: &'a Regime,
    first_sent: Option<NaiveDate>,
) -> Result<Option<String>, TimelineError> {
    use EventKind as K;
    let on = e.occurred_on;
    let rules = &regime.rules;
    if e.kind == K::Note {
        if let (Some(_), Some(reference)) = (d.sent_on, &e.details.body_reference) {
            d.body_reference = Some(reference.clone());
        }
        return Ok(None);
    }
    if e.kind == K::DeadlineRecalculated {
        return Ok(Some("The bank holidays changed, so the deadlines were worked out again.".into()));
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
                let posted = e.details.channel == Some(Channel::Post);
                let (received, how) = match e.details.received_on {
                    Some(r) if r < on => {
                        return Err(conflict(format!(
                            "The date of receipt, {r}, cannot be before the sending on {on}."
                        )));
                    }
                    Some(r) => (r, "as recorded".to_string()),
                    None if posted => (
                        regime.posted_receipt(on),
                        format!("posted, so received {} working days later", rules.post_receipt_days),
                    ),
                    None => (on, "the day it was sent".to_string()),
                };
                d.sent_on = Some(on);
                d.received_on = Some(received);
                d.sending = Some(e.details.clone());
                d.state = State::AwaitingResponse;
                let c = Clock::start(regime, received);
                let effect = format!(
                    "Received on {received} ({how}), day zero. Due {}: {} {} after receipt. Very overdue after {}.",
                    c.due_on(),
                    rules.response_days,
                    if rules.calendar_days { "days" } else { "working days" },
                    c.very_overdue_on()
                );
                *clock = Some(c);
                Ok(Some(effect))
            }
            K::Withdrawn => {
                d.state = State::Withdrawn;
                Ok(Some("Withdrawn before it was sent.".into()))
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
    let effect = match e.kind {
        K::Acknowledged => match &e.details.body_reference {
            Some(r) => format!("Acknowledged, with their reference {r}. The clock runs on."),
            None => "Acknowledged. The clock runs on.".into(),
        },
        K::IcoComplaint => "Complaint to the Information Commissioner.".into(),
        K::ClarificationRequested => {
            require(
                d.state == State::AwaitingResponse,
                "a request for clarification",
                "while the request awaits a response",
            )?;
            d.state = State::AwaitingClarification;
            "Clarification asked for: the clock stops until it is sent.".into()
        }
        K::ClarificationSent => {
            require(
                d.state == State::AwaitingClarification,
                "a clarification",
                "after the body asked for one",
            )?;
            // FOIA s.1(3): the clarified request is a new request with a full period.
            *c = Clock::start(regime, on);
            d.state = State::AwaitingResponse;
            format!("Clarification sent: a full new period runs from {on}. Due {}.", c.due_on())
        }
        K::FeeNoticeGiven => {
            require(
                d.state == State::AwaitingResponse,
                "a fees notice",
                "while the request awaits a response",
            )?;
            c.fee_notice_on = Some(on);
            d.state = State::AwaitingFee;
            "Fees notice given: the clock stops until the fee is paid.".into()
        }
        K::FeePaid => {
            require(d.state == State::AwaitingFee, "a fee payment", "after a fees notice")?;
            let given = c.fee_notice_on.take().expect("awaiting a fee means a notice was given");
            // Day zero is never counted, so a notice given on it cannot take it out again.
            let from = given.max(c.started_on.succ_opt().expect("dates stay in range"));
            let days = regime.count_between(from, on);
            c.disregarded += days;
            d.state = State::AwaitingResponse;
            format!(
                "Fee paid: the {days} working days from {from} to {on} are disregarded. Due {}.",
                c.due_on()
            )
        }
        K::ExtensionClaimed => {
            require(
                d.state == State::AwaitingResponse,
                "an extension",
                "while the request awaits a response",
            )?;
            let current = c.due_on();
            if on > current {
                return Err(conflict(format!(
                    "An extension must be claimed by the due date, {current}; one claimed on {on} does not stop the \
                     request being late. Record what the body said as a note."
                )));
            }
            let (new_due, basis) = match (rules.extension, e.details.new_due_on) {
                (ExtensionRule::None, _) => {
                    return Err(conflict(format!(
                        "The {} allows no extension of time; record what the body said as a note.",
                        rules.description
                    )));
                }
                (_, Some(stated)) => (stated, "the date the body gave".to_string()),
                (ExtensionRule::PublicInterest { default_days }, None) => {
                    (regime.add(current, default_days), format!("{default_days} further working days"))
                }
                (ExtensionRule::ComplexRequest { total_days }, None) => (
                    regime.add(c.started_on, total_days + c.disregarded),
                    format!("{total_days} working days after receipt"),
                ),
            };
            if let ExtensionRule::ComplexRequest { total_days } = rules.extension {
                let limit = regime.add(c.started_on, total_days + c.disregarded);
                if new_due > limit {
                    return Err(conflict(format!(
                        "The {} allow at most {total_days} working days after receipt: until {limit}, not {new_due}.",
                        rules.description
                    )));
                }
            }
            if new_due <= current {
                return Err(conflict(format!(
                    "An extension must move the due date later than {current}, not to {new_due}."
                )));
            }
            c.extended_to = Some(new_due);
            format!("Extension claimed: due {new_due} ({basis}) instead of {current}.")
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
            format!("Response received ({outcome}); the clock stops.")
        }
        K::InternalReviewRequested => {
            require(
                d.state != State::InternalReview,
                "a request for internal review",
                "when no review is already under way",
            )?;
            d.state = State::InternalReview;
            let due = regime.add(on, rules.review_days);
            d.review_due_on = Some(due);
            d.review_limit_on = rules.review_limit_days.map(|days| regime.add(on, days));
            match d.review_limit_on {
                Some(limit) => {
                    format!("Internal review requested: due {due}, and {limit} at the very latest.")
                }
                None => format!("Internal review requested: due {due}."),
            }
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
            d.review_limit_on = None;
            format!("Internal review answered ({outcome}).")
        }
        K::Withdrawn => {
            d.state = State::Withdrawn;
            "Withdrawn.".into()
        }
        K::Closed => {
            d.state = State::Closed;
            "Closed.".into()
        }
        K::Sent | K::Note | K::Retraction | K::DeadlineRecalculated => unreachable!("handled above"),
    };
    Ok(Some(effect))
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
