//! Where a request stands.
//!
//! A request's [`State`] follows only from its events and is stored with it. Its reported
//! [`Status`] adds what the calendar says: a request awaiting a response becomes overdue the day
//! after its due date, with no event at all. Keeping the two apart means nothing stored goes
//! stale overnight, and the database can still filter overdue requests with an index on
//! `(state, due_on)`.

use chrono::NaiveDate;

use crate::text_enum;

text_enum! {
    /// The event-derived state of a request, as stored.
    pub enum State("state") {
        Draft => "draft",
        AwaitingResponse => "awaiting_response",
        AwaitingClarification => "awaiting_clarification",
        /// A fees notice is outstanding: the clock is stopped until the fee is paid.
        AwaitingFee => "awaiting_fee",
        Answered => "answered",
        PartiallyAnswered => "partially_answered",
        Refused => "refused",
        NotHeld => "not_held",
        InternalReview => "internal_review",
        Withdrawn => "withdrawn",
        Closed => "closed",
    }
}

text_enum! {
    /// What a user sees and filters on: the state, with overdue and very overdue added.
    pub enum Status("status") {
        Draft => "draft",
        AwaitingResponse => "awaiting_response",
        AwaitingClarification => "awaiting_clarification",
        AwaitingFee => "awaiting_fee",
        Overdue => "overdue",
        VeryOverdue => "very_overdue",
        Answered => "answered",
        PartiallyAnswered => "partially_answered",
        Refused => "refused",
        NotHeld => "not_held",
        InternalReview => "internal_review",
        Withdrawn => "withdrawn",
        Closed => "closed",
    }
}

// text_enum! declares the enum and derives a fixed set of traits, Default not among them.
#[allow(clippy::derivable_impls)]
impl Default for State {
    fn default() -> Self {
        State::Draft
    }
}

impl State {
    /// The states of an open request, whose deadlines can still change: awaiting something
    /// from the body, or under internal review.
    pub const OPEN: [State; 4] =
        [State::AwaitingResponse, State::AwaitingClarification, State::AwaitingFee, State::InternalReview];

    /// Withdrawn and closed requests take no further events except notes.
    pub fn is_final(self) -> bool {
        matches!(self, State::Withdrawn | State::Closed)
    }

    /// The body still owes a first response.
    pub fn awaits_body(self) -> bool {
        matches!(self, State::AwaitingResponse | State::AwaitingClarification | State::AwaitingFee)
    }
}

impl Status {
    /// The stored state a status stands for; `None` for the lateness statuses, which are
    /// worked out from the due dates of `awaiting_response` requests.
    pub fn state(self) -> Option<State> {
        Some(match self {
            Status::Draft => State::Draft,
            Status::AwaitingResponse => State::AwaitingResponse,
            Status::AwaitingClarification => State::AwaitingClarification,
            Status::AwaitingFee => State::AwaitingFee,
            Status::Overdue | Status::VeryOverdue => return None,
            Status::Answered => State::Answered,
            Status::PartiallyAnswered => State::PartiallyAnswered,
            Status::Refused => State::Refused,
            Status::NotHeld => State::NotHeld,
            Status::InternalReview => State::InternalReview,
            Status::Withdrawn => State::Withdrawn,
            Status::Closed => State::Closed,
        })
    }
}

/// The status on `today`: overdue from the day after the due date, very overdue from the day
/// after the very-overdue date. Only a request awaiting its response can be late.
pub fn status_on(
    state: State,
    due_on: Option<NaiveDate>,
    very_overdue_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Status {
    if state == State::AwaitingResponse {
        if very_overdue_on.is_some_and(|d| today > d) {
            return Status::VeryOverdue;
        }
        if due_on.is_some_and(|d| today > d) {
            return Status::Overdue;
        }
    }
    match state {
        State::Draft => Status::Draft,
        State::AwaitingResponse => Status::AwaitingResponse,
        State::AwaitingClarification => Status::AwaitingClarification,
        State::AwaitingFee => Status::AwaitingFee,
        State::Answered => Status::Answered,
        State::PartiallyAnswered => Status::PartiallyAnswered,
        State::Refused => Status::Refused,
        State::NotHeld => Status::NotHeld,
        State::InternalReview => Status::InternalReview,
        State::Withdrawn => Status::Withdrawn,
        State::Closed => Status::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overdue_starts_the_day_after_the_due_date() {
        let (due, very) = (Some(d("2022-01-07")), Some(d("2022-02-07")));
        let at = |day| status_on(State::AwaitingResponse, due, very, d(day));
        assert_eq!(at("2022-01-07"), Status::AwaitingResponse);
        assert_eq!(at("2022-01-08"), Status::Overdue);
        assert_eq!(at("2022-02-07"), Status::Overdue);
        assert_eq!(at("2022-02-08"), Status::VeryOverdue);
    }

    #[test]
    fn only_a_request_awaiting_its_response_is_late() {
        let (due, very) = (Some(d("2022-01-07")), Some(d("2022-02-07")));
        let late = d("2023-01-01");
        assert_eq!(status_on(State::AwaitingClarification, due, very, late), Status::AwaitingClarification);
        assert_eq!(status_on(State::Answered, due, very, late), Status::Answered);
        assert_eq!(status_on(State::Draft, None, None, late), Status::Draft);
    }

    #[test]
    fn every_state_has_a_status_of_the_same_name() {
        for s in State::ALL {
            let status = status_on(*s, None, None, d("2022-01-01"));
            assert_eq!(status.as_str(), s.as_str());
        }
    }

    #[test]
    fn every_status_but_lateness_stands_for_the_state_of_its_name() {
        for status in Status::ALL {
            match status.state() {
                Some(state) => assert_eq!(state.as_str(), status.as_str()),
                None => assert!(matches!(status, Status::Overdue | Status::VeryOverdue), "{status}"),
            }
        }
    }
}
