use std::sync::{Arc, OnceLock};

use super::*;
use crate::domain::event::EventDetails;
use crate::domain::holidays::HolidayData;
use crate::domain::regime::Regimes;
use crate::domain::vocab::Channel;

fn regime(name: &str) -> Arc<Regime> {
    static REGIMES: OnceLock<Regimes> = OnceLock::new();
    REGIMES.get_or_init(|| Regimes::new(&HolidayData::bundled(), &[]).unwrap()).get(name).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct T {
    events: Vec<TimelineEvent>,
}

impl T {
    fn new() -> Self {
        Self { events: Vec::new() }
    }

    fn with(mut self, kind: EventKind, on: &str, details: EventDetails) -> Self {
        let id = self.events.len() as i64 + 1;
        self.events.push(TimelineEvent { id, kind, occurred_on: d(on), details });
        self
    }

    fn sent(self, on: &str) -> Self {
        self.with(EventKind::Sent, on, EventDetails { channel: Some(Channel::Email), ..Default::default() })
    }

    fn on(self, kind: EventKind, on: &str) -> Self {
        self.with(kind, on, EventDetails::default())
    }

    fn outcome(self, kind: EventKind, on: &str, outcome: Outcome) -> Self {
        self.with(kind, on, EventDetails { outcome: Some(outcome), ..Default::default() })
    }

    fn replay(&self) -> Result<Derived, TimelineError> {
        self.replay_under("foia")
    }

    fn replay_under(&self, name: &str) -> Result<Derived, TimelineError> {
        replay(&self.events, &regime(name), d("2026-11-25"))
    }

    fn ok(&self) -> Derived {
        self.replay().expect("timeline should be accepted")
    }

    fn refused(&self) -> String {
        match self.replay() {
            Err(TimelineError::Conflict(msg)) => msg,
            Ok(d) => panic!("timeline should be refused, got {d:?}"),
        }
    }
}

#[test]
fn an_empty_timeline_is_a_draft() {
    let derived = T::new().ok();
    assert_eq!(derived.state, State::Draft);
    assert_eq!(derived.due_on, None);
}

#[test]
fn sending_starts_the_clock() {
    let derived = T::new().sent("2021-12-06").ok();
    assert_eq!(derived.state, State::AwaitingResponse);
    assert_eq!(derived.sent_on, Some(d("2021-12-06")));
    assert_eq!(derived.due_on, Some(d("2022-01-07")));
    assert_eq!(derived.very_overdue_on, Some(d("2022-02-04")));
}

#[test]
fn acknowledgement_keeps_the_body_reference() {
    let derived = T::new()
        .sent("2021-12-06")
        .with(
            EventKind::Acknowledged,
            "2021-12-07",
            EventDetails { body_reference: Some("FOI-1234".into()), ..Default::default() },
        )
        .ok();
    assert_eq!(derived.body_reference.as_deref(), Some("FOI-1234"));
    assert_eq!(derived.state, State::AwaitingResponse);
}

#[test]
fn responses_set_the_state_from_their_outcome() {
    for (outcome, state) in [
        (Outcome::Full, State::Answered),
        (Outcome::Partial, State::PartiallyAnswered),
        (Outcome::Refused, State::Refused),
        (Outcome::NotHeld, State::NotHeld),
        (Outcome::Other, State::Answered),
    ] {
        let derived =
            T::new().sent("2021-12-06").outcome(EventKind::ResponseReceived, "2021-12-20", outcome).ok();
        assert_eq!(derived.state, state);
        assert_eq!(derived.responded_on, Some(d("2021-12-20")));
        assert_eq!(derived.due_on, Some(d("2022-01-07")), "the due date that applied stays");
    }
}

#[test]
fn clarification_stops_the_clock_and_restarts_it_in_full() {
    let asked = T::new().sent("2021-12-06").on(EventKind::ClarificationRequested, "2021-12-08");
    let waiting = asked.ok();
    assert_eq!(waiting.state, State::AwaitingClarification);
    assert_eq!(waiting.due_on, None);
    let clarified = asked.on(EventKind::ClarificationSent, "2022-01-10").ok();
    assert_eq!(clarified.state, State::AwaitingResponse);
    assert_eq!(clarified.clock_started_on, Some(d("2022-01-10")));
    assert_eq!(clarified.due_on, Some(d("2022-02-07")));
}

#[test]
fn fee_days_are_disregarded() {
    // Notice on Wednesday 2021-12-08, paid Tuesday 2021-12-14: 5 working days disregarded.
    let derived = T::new()
        .sent("2021-12-06")
        .on(EventKind::FeeNoticeGiven, "2021-12-08")
        .on(EventKind::FeePaid, "2021-12-14")
        .ok();
    assert_eq!(derived.state, State::AwaitingResponse);
    assert_eq!(derived.due_on, Some(d("2022-01-14")));
}

#[test]
fn an_extension_moves_the_due_date() {
    let stated = T::new()
        .sent("2021-12-06")
        .with(
            EventKind::ExtensionClaimed,
            "2022-01-05",
            EventDetails { new_due_on: Some(d("2022-02-04")), ..Default::default() },
        )
        .ok();
    assert_eq!(stated.due_on, Some(d("2022-02-04")));
    let unstated = T::new().sent("2021-12-06").on(EventKind::ExtensionClaimed, "2022-01-05").ok();
    assert_eq!(unstated.due_on, Some(d("2022-02-04")));
    let backwards = T::new().sent("2021-12-06").with(
        EventKind::ExtensionClaimed,
        "2022-01-05",
        EventDetails { new_due_on: Some(d("2022-01-06")), ..Default::default() },
    );
    assert!(backwards.refused().contains("later than 2022-01-07"));
}

#[test]
fn internal_review_has_its_own_due_date() {
    let t = T::new()
        .sent("2021-12-06")
        .outcome(EventKind::ResponseReceived, "2021-12-20", Outcome::Refused)
        .on(EventKind::InternalReviewRequested, "2022-01-04");
    let derived = t.ok();
    assert_eq!(derived.state, State::InternalReview);
    assert_eq!(derived.review_due_on, Some(d("2022-02-01")));
    let answered = t.outcome(EventKind::InternalReviewAnswered, "2022-01-20", Outcome::Partial).ok();
    assert_eq!(answered.state, State::PartiallyAnswered);
    assert_eq!(answered.review_due_on, None);
}

#[test]
fn refuses_events_before_the_request_was_sent() {
    let msg = T::new().outcome(EventKind::ResponseReceived, "2021-12-06", Outcome::Full).refused();
    assert_eq!(
        msg,
        "The request has not been sent yet, so a response cannot be recorded; log it as sent first."
    );
    let msg = T::new().sent("2021-12-06").on(EventKind::Acknowledged, "2021-12-01").refused();
    assert_eq!(
        msg,
        "An acknowledgement cannot be dated 2021-12-01: the request was only sent on 2021-12-06."
    );
}

#[test]
fn refuses_a_second_sending() {
    let msg = T::new().sent("2021-12-06").sent("2021-12-07").refused();
    assert_eq!(msg, "The request was already recorded as sent on 2021-12-06.");
    // An attempt dated before the stored sending still names the stored date, not its own.
    let msg = T::new().sent("2021-12-06").sent("2021-12-01").refused();
    assert_eq!(msg, "The request was already recorded as sent on 2021-12-06.");
}

#[test]
fn refuses_events_out_of_sequence() {
    assert!(
        T::new()
            .sent("2021-12-06")
            .on(EventKind::ClarificationSent, "2021-12-07")
            .refused()
            .contains("after the body asked")
    );
    assert!(
        T::new()
            .sent("2021-12-06")
            .on(EventKind::FeePaid, "2021-12-07")
            .refused()
            .contains("after a fees notice")
    );
    assert!(
        T::new()
            .sent("2021-12-06")
            .outcome(EventKind::InternalReviewAnswered, "2021-12-07", Outcome::Full)
            .refused()
            .contains("after an internal review")
    );
    let future = T::new().sent("2021-12-06").on(EventKind::Acknowledged, "2030-01-01").refused();
    assert!(future.contains("in the future"), "{future}");
}

#[test]
fn nothing_but_notes_after_withdrawal() {
    let t = T::new().sent("2021-12-06").on(EventKind::Withdrawn, "2021-12-07");
    assert_eq!(t.ok().state, State::Withdrawn);
    assert!(t.clone_with_note().replay().is_ok());
    let msg = t.outcome(EventKind::ResponseReceived, "2021-12-08", Outcome::Full).refused();
    assert!(msg.starts_with("The request is withdrawn"), "{msg}");
}

impl T {
    fn clone_with_note(&self) -> T {
        T { events: self.events.clone() }.on(EventKind::Note, "2021-12-09")
    }
}

#[test]
fn a_retraction_cancels_an_event_and_the_rest_is_replayed() {
    let t = T::new().sent("2021-12-06").outcome(EventKind::ResponseReceived, "2021-12-20", Outcome::Full);
    let retract = |t: T, id| {
        t.with(EventKind::Retraction, "2021-12-21", EventDetails { retracts: Some(id), ..Default::default() })
    };
    let undone = retract(t, 2);
    assert_eq!(undone.ok().state, State::AwaitingResponse);
    let twice = retract(undone, 2);
    assert_eq!(twice.refused(), "Event 2 has already been retracted.");
    let unknown = retract(T::new().sent("2021-12-06"), 99);
    assert_eq!(unknown.refused(), "Event 99 is not on this request's timeline.");
}

#[test]
fn retracting_the_sending_is_refused_while_later_events_need_it() {
    let t = T::new().sent("2021-12-06").on(EventKind::Acknowledged, "2021-12-07").with(
        EventKind::Retraction,
        "2021-12-08",
        EventDetails { retracts: Some(1), ..Default::default() },
    );
    assert!(t.refused().contains("has not been sent yet"));
}

#[test]
fn backdated_events_take_their_place_in_the_timeline() {
    // A clarification request recorded after the response, but dated before it.
    let derived = T::new()
        .sent("2021-12-06")
        .on(EventKind::ClarificationRequested, "2021-12-08")
        .outcome(EventKind::ResponseReceived, "2022-01-20", Outcome::Full)
        .on(EventKind::ClarificationSent, "2021-12-10")
        .ok();
    assert_eq!(derived.state, State::Answered);
    assert_eq!(derived.clock_started_on, Some(d("2021-12-10")));
}

#[test]
fn the_sending_comes_first_on_its_day() {
    let mut t = T::new().on(EventKind::Acknowledged, "2021-12-06").sent("2021-12-06");
    t.events.reverse();
    assert_eq!(t.ok().state, State::AwaitingResponse);
    let recorded_out_of_order = T::new().on(EventKind::Acknowledged, "2021-12-06").sent("2021-12-06");
    assert_eq!(recorded_out_of_order.ok().sent_on, Some(d("2021-12-06")));
}

#[test]
fn the_sending_details_follow_the_unretracted_sent_event() {
    let t = T::new().sent("2021-12-06");
    assert_eq!(t.ok().sending.unwrap().channel, Some(Channel::Email));
    let undone =
        t.with(EventKind::Retraction, "2021-12-07", EventDetails { retracts: Some(1), ..Default::default() });
    let derived = undone.ok();
    assert_eq!(derived.sending, None);
    assert_eq!(derived.state, State::Draft);
}

#[test]
fn fields_that_do_not_fit_the_kind_are_named() {
    let details = EventDetails {
        outcome: Some(Outcome::Full),
        new_due_on: Some(d("2022-01-01")),
        ..Default::default()
    };
    assert_eq!(details.unexpected_fields(EventKind::Acknowledged), ["outcome", "new_due_on"]);
    assert!(details.unexpected_fields(EventKind::ResponseReceived).contains(&"new_due_on"));
    assert_eq!(EventDetails::default().missing_fields(EventKind::ResponseReceived)[0].0, "outcome");
}

#[test]
fn a_retraction_cannot_be_dated_in_the_future() {
    let t = T::new().sent("2021-12-06").on(EventKind::Acknowledged, "2021-12-07").with(
        EventKind::Retraction,
        "2030-01-01",
        EventDetails { retracts: Some(2), ..Default::default() },
    );
    assert!(t.refused().contains("in the future"));
}

#[test]
fn a_fee_notice_on_the_day_of_receipt_disregards_only_working_days_after_it() {
    // Notice on day zero (Monday 6 December), paid Wednesday 8th: days 1 and 2 are disregarded.
    let derived = T::new()
        .sent("2021-12-06")
        .on(EventKind::FeeNoticeGiven, "2021-12-06")
        .on(EventKind::FeePaid, "2021-12-08")
        .ok();
    assert_eq!(derived.due_on, Some(d("2022-01-11")));
}

#[test]
fn a_posted_request_is_received_two_working_days_later() {
    let t = T::new().with(
        EventKind::Sent,
        "2021-12-02",
        EventDetails { channel: Some(Channel::Post), ..Default::default() },
    );
    let derived = t.ok();
    assert_eq!(derived.sent_on, Some(d("2021-12-02")));
    assert_eq!(derived.received_on, Some(d("2021-12-06")));
    assert_eq!(derived.due_on, Some(d("2022-01-07")));
    assert!(
        derived.steps[0].effect.contains("posted, so received 2 working days later"),
        "{}",
        derived.steps[0].effect
    );
}

#[test]
fn a_recorded_date_of_receipt_wins() {
    let details = EventDetails {
        channel: Some(Channel::Email),
        received_on: Some(d("2021-12-06")),
        ..Default::default()
    };
    let derived = T::new().with(EventKind::Sent, "2021-12-03", details).ok();
    assert_eq!(derived.received_on, Some(d("2021-12-06")));
    assert_eq!(derived.due_on, Some(d("2022-01-07")));
    let backwards = EventDetails {
        channel: Some(Channel::Email),
        received_on: Some(d("2021-12-01")),
        ..Default::default()
    };
    assert!(
        T::new()
            .with(EventKind::Sent, "2021-12-03", backwards)
            .refused()
            .contains("cannot be before the sending")
    );
}

#[test]
fn foisa_counts_scottish_holidays_only_and_allows_no_extension() {
    // Sent Tuesday 2022-03-15: FOISA ignores St Patrick's Day.
    let t = T::new().sent("2022-03-15");
    assert_eq!(t.replay_under("foisa").unwrap().due_on, Some(d("2022-04-12")));
    assert_eq!(t.replay_under("foia").unwrap().due_on, Some(d("2022-04-13")));
    let extended = T::new().sent("2022-03-15").on(EventKind::ExtensionClaimed, "2022-04-01");
    let msg = match extended.replay_under("foisa") {
        Err(TimelineError::Conflict(m)) => m,
        Ok(_) => panic!("refused"),
    };
    assert!(msg.contains("Freedom of Information (Scotland) Act 2002 allows no extension"), "{msg}");
}

#[test]
fn an_eir_extension_runs_to_forty_working_days_and_keeps_the_original_date() {
    let t = T::new().sent("2021-12-06").on(EventKind::ExtensionClaimed, "2022-01-05");
    let derived = t.replay_under("eir").unwrap();
    assert_eq!(derived.due_on, Some(d("2022-02-04")));
    assert_eq!(derived.original_due_on, Some(d("2022-01-07")));
    let foia = t.ok();
    assert_eq!(foia.original_due_on, Some(d("2022-01-07")));
    assert!(foia.steps.last().unwrap().effect.contains("20 further working days"));
}

#[test]
fn a_foia_review_has_an_outer_limit_of_forty_days() {
    let t = T::new()
        .sent("2021-12-06")
        .outcome(EventKind::ResponseReceived, "2021-12-20", Outcome::Refused)
        .on(EventKind::InternalReviewRequested, "2022-01-04");
    let foia = t.ok();
    assert_eq!(foia.review_due_on, Some(d("2022-02-01")));
    assert_eq!(foia.review_limit_on, Some(d("2022-03-01")));
    assert_eq!(t.replay_under("foisa").unwrap().review_limit_on, None);
}

#[test]
fn the_steps_tell_the_clock_story() {
    let derived = T::new()
        .sent("2021-12-06")
        .on(EventKind::ClarificationRequested, "2021-12-08")
        .on(EventKind::ClarificationSent, "2022-01-10")
        .with(EventKind::Note, "2022-01-11", EventDetails::default())
        .ok();
    let effects: Vec<&str> = derived.steps.iter().map(|s| s.effect.as_str()).collect();
    assert_eq!(
        effects,
        [
            "Received on 2021-12-06 (the day it was sent), day zero. Due 2022-01-07: 20 working days after receipt. Very overdue after 2022-02-04.",
            "Clarification asked for: the clock stops until it is sent.",
            "Clarification sent: a full new period runs from 2022-01-10. Due 2022-02-07.",
        ]
    );
}

#[test]
fn a_date_of_receipt_in_the_future_is_refused() {
    let details = EventDetails {
        channel: Some(Channel::Email),
        received_on: Some(d("2030-01-01")),
        ..Default::default()
    };
    assert!(
        T::new()
            .with(EventKind::Sent, "2021-12-03", details)
            .refused()
            .contains("2030-01-01: that is in the future")
    );
}

#[test]
fn a_body_reference_given_with_a_note_is_kept() {
    let note = EventDetails { body_reference: Some("FOI-7".into()), ..Default::default() };
    assert_eq!(
        T::new().sent("2021-12-06").with(EventKind::Note, "2021-12-07", note).ok().body_reference.as_deref(),
        Some("FOI-7")
    );
}

#[test]
fn an_extension_must_be_claimed_in_time_and_within_the_eir_limit() {
    let late = T::new().sent("2021-12-06").on(EventKind::ExtensionClaimed, "2022-01-10");
    assert!(late.refused().contains("must be claimed by the due date, 2022-01-07"));
    let too_long = T::new().sent("2021-12-06").with(
        EventKind::ExtensionClaimed,
        "2022-01-05",
        EventDetails { new_due_on: Some(d("2022-03-01")), ..Default::default() },
    );
    let msg = match too_long.replay_under("eir") {
        Err(TimelineError::Conflict(m)) => m,
        Ok(_) => panic!("refused"),
    };
    assert!(msg.contains("at most 40 working days after receipt: until 2022-02-04"), "{msg}");
    // FOIA sets no fixed limit on a stated date.
    assert_eq!(too_long.ok().due_on, Some(d("2022-03-01")));
}
