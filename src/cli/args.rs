//! The command line, as clap definitions. The words here are what researchers read in `--help`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "foitrack",
    version,
    about = "Track Freedom of Information requests sent to many public bodies",
    long_about = "Track Freedom of Information requests sent to many public bodies: who was asked, \
                  when each reply is due, what came back.\n\nStart with `foitrack serve`, or see \
                  README.md for a five-minute walk-through.",
    after_help = "Settings: built-in defaults (documented in config/default.toml), then --config FILE \
                  (or ./foitrack.toml), then FOITRACK__SECTION__KEY environment variables, then \
                  --database. RUST_LOG sets the log detail. See docs/configuration.md."
)]
pub struct Cli {
    /// A settings file to read on top of the defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The database to use, overriding the settings (sqlite://FILE or postgres://…).
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// Act as this user (by email) for commands that record who did what; by default the first
    /// administrator.
    #[arg(long = "as", global = true, value_name = "EMAIL")]
    pub as_user: Option<String>,

    /// The workspace (team) to work in, by its short name. By default the only one you belong
    /// to; with several, commands that need one ask for this and list yours.
    #[arg(long, global = true, value_name = "SLUG")]
    pub workspace: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service and its API (http://127.0.0.1:8080 by default).
    Serve,
    /// Bring the database up to date with this version (serve does this by itself).
    Migrate,
    /// Public bodies: import lists of them, and look them up.
    #[command(subcommand)]
    Authorities(AuthoritiesCommand),
    /// Campaigns: one request sent to many bodies.
    #[command(subcommand)]
    Campaigns(CampaignsCommand),
    /// Requests: find them, log them as sent, record what happened.
    #[command(subcommand)]
    Requests(RequestsCommand),
    /// People who can use the service.
    #[command(subcommand)]
    User(UserCommand),
    /// Workspaces: each team's own campaigns, requests and mail, and who belongs to them.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// API tokens, for scripts and the web API.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Work out when a reply is due, showing every day skipped and why.
    Deadline(DeadlineArgs),
    /// The legal regimes and their periods (built in, and from the settings).
    Regimes {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Bank holidays: put a newer gov.uk bank-holidays.json in force.
    #[command(subcommand)]
    Holidays(HolidaysCommand),
    /// Outgoing mail waiting to be delivered: look at it, retry it, cancel it, deliver it.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Take in replies from mail files: .eml files, mbox files and maildir folders. Each
    /// message is stored once, matched to its request (or put in the holding pen) and
    /// classified; running it again on the same files changes nothing. Exits 0 when every
    /// message was stored, whatever it turned out to be. With --workspace, mail that matches
    /// no request waits in that workspace's holding pen instead of the site's.
    Ingest {
        /// Files and folders to read.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// The holding pen: replies that matched no request, to assign or set aside.
    #[command(subcommand)]
    Pen(PenCommand),
    /// Search the text of replies and their attachments, best match first. Words must all
    /// appear; put a phrase in quotes ('"not held"'), write OR between alternatives and -word
    /// to leave one out. English endings are ignored: train finds "training".
    Search(SearchArgs),
    /// Agreement between coders, for codings from anywhere: a CSV whose first line names the
    /// columns unit, coder and value, one row per unit and coder (several codes in one value
    /// split by ;). Prints percentage agreement, Cohen's kappa, Krippendorff's alpha with a 95%
    /// interval, and Gwet's AC1, each with why when it cannot be worked out. Needs no database.
    Agreement(AgreementArgs),
    /// Codebooks: the questions coders answer about each reply, and their codes.
    #[command(subcommand)]
    Codebook(CodebookCommand),
    /// Coding a campaign's replies: the plan, coded spreadsheets in and out, disagreements.
    #[command(subcommand)]
    Codings(super::codings::CodingsCommand),
    /// The study's table for a campaign: how bodies responded, and each question's codes with
    /// counts, percentages and their denominators, from the final codes.
    Report(super::report::ReportArgs),
    /// Queue today's reminder digests (serve does this daily; use this from cron instead).
    /// Nothing is sent twice for the same lapse, however often it runs.
    Remind {
        /// Show the digests, queue nothing.
        #[arg(long)]
        dry_run: bool,
        /// Remind as on this date instead of today.
        #[arg(long, value_name = "DATE", value_parser = date)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List messages (newest last).
    List {
        /// Only messages in this state: pending, sending, sent, failed or cancelled.
        #[arg(long)]
        state: Option<String>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Try a pending or failed message again now.
    Retry { id: i64 },
    /// Cancel a pending or failed message, so it is never sent.
    Cancel { id: i64 },
    /// Deliver every message that is due now, then stop (for cron, or when `serve` is not
    /// running). Messages scheduled later by a campaign's pace wait for a later run.
    Deliver {
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum PenCommand {
    /// List the replies waiting, newest first, with suggestions of where each belongs.
    List {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Assign a waiting reply to the request it answers.
    Assign {
        /// The message's id, as `pen list` shows it.
        id: i64,
        /// The request, by reference (ABT-2021-0042) or id.
        request: String,
    },
    /// Set a waiting reply aside for good; it stays stored.
    Discard {
        id: i64,
        /// Why, in a few words ("spam", "not about our requests").
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct SendCampaign {
    pub id: i64,
    /// Show the messages that would go, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Messages per minute, such as 6 or 6/min (default: one every mail.send_interval_seconds).
    #[arg(long, value_name = "N/min")]
    pub rate: Option<String>,
    /// Only these request ids (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Option<Vec<i64>>,
    /// Stay and show the delivery's progress (Ctrl-C leaves it going on in the background).
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// foia (default), eir, foisa, eisr, or a regime from the settings.
    #[arg(long, default_value = "foia")]
    pub regime: String,
    /// The date the request was received (day zero), as YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub received: NaiveDate,
    /// Count this many days instead of the regime's period.
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum HolidaysCommand {
    /// Use this gov.uk bank-holidays.json from now on (https://www.gov.uk/bank-holidays.json).
    /// Open requests whose deadlines move are updated, each with a note on its timeline.
    Import {
        file: PathBuf,
        /// Say what would change, changing nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Download the newest gov.uk bank holiday feed and put it in force, as `import` does.
    /// Run it weekly from cron so that newly proclaimed holidays reach the deadlines.
    Update {
        /// Download from here instead of the configured holidays.feed_url.
        #[arg(long)]
        url: Option<String>,
        /// Say what would change, changing nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// Check a codebook file (TOML, see docs/coding.md, or a REFI-QDA .qdc from NVivo, ATLAS.ti,
    /// MAXQDA or QualCoder) and list every problem in it, each with where it is. Needs no
    /// database.
    Check {
        #[arg(value_name = "FILE.toml|FILE.qdc")]
        file: PathBuf,
    },
    /// Try a codebook's rules on a text (a reply saved as a text file): the codes they suggest,
    /// each with the passage behind it. By default the study's codebook. Needs no database.
    Suggest {
        /// The text to read, or - for standard input.
        #[arg(value_name = "TEXT_FILE")]
        text: PathBuf,
        /// The codebook whose rules to use.
        #[arg(long, value_name = "FILE.toml")]
        codebook: Option<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Store a codebook file in your workspace (researchers and owners). A codebook whose key
    /// the workspace already has becomes its next version, unless nothing changed. A .qdc file
    /// going into an existing codebook keeps its questions' keys, types and conditions (matched
    /// by the GUIDs foitrack's own export gave them).
    Import {
        #[arg(value_name = "FILE.toml|FILE.qdc")]
        file: PathBuf,
        /// For a .qdc file, which names no codebook: the codebook's key. By default made from
        /// the file's name.
        #[arg(long)]
        key: Option<String>,
        /// For a .qdc file: the codebook's title. By default the earlier version's, or the key.
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Write a stored codebook version to standard output: as a REFI-QDA codebook (.qdc) for
    /// NVivo, ATLAS.ti, MAXQDA or QualCoder, or as JSON.
    Export {
        /// The codebook version's id (see `foitrack codebook list`).
        id: i64,
        #[arg(long, value_parser = ["qdc", "json"], default_value = "qdc")]
        format: String,
    },
    /// The codebooks stored in your workspaces, every version, newest first.
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show a codebook's questions and codes: a file's, or without one the active bystander
    /// training study's, which foitrack ships (config/codebooks/abt.toml). Needs no database.
    Show {
        #[arg(value_name = "FILE.toml|FILE.qdc")]
        file: Option<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

impl CodebookCommand {
    /// Whether the command reads or writes the database; the others work on files alone.
    pub fn needs_database(&self) -> bool {
        matches!(self, Self::Import { .. } | Self::List { .. } | Self::Export { .. })
    }
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// The codings, as CSV.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    /// nominal: the values are codes, and any two different codes disagree. interval: the
    /// values are numbers (staff trained, say), and a difference of 10 weighs more than one of 1.
    #[arg(long, value_parser = ["nominal", "interval"], default_value = "nominal")]
    pub level: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for.
    #[arg(required = true, value_name = "WORDS")]
    pub words: Vec<String>,
    /// Only the replies to this request, by reference (ABT-2021-0042) or id.
    #[arg(long, value_name = "REQUEST")]
    pub request: Option<String>,
    /// Only the replies to this campaign's requests.
    #[arg(long, value_name = "ID")]
    pub campaign: Option<i64>,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct PageArgs {
    /// Which page of results (from 1).
    #[arg(long, value_name = "N")]
    pub page: Option<u32>,
    /// Results per page (at most 500).
    #[arg(long, value_name = "N")]
    pub per_page: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum AuthoritiesCommand {
    /// Import public bodies from a file. Running it again with the same file changes nothing.
    Import {
        /// The file to read.
        file: PathBuf,
        /// `csv`: a CSV with a header row (name, email, region, ods_code, tags; other columns
        /// are ignored). `ods-etr`: NHS Digital's headerless etr.csv of NHS trusts.
        #[arg(long, default_value = "csv", value_name = "FORMAT")]
        format: String,
        /// With ods-etr: keep only bodies open on this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Leave out bodies without a region (for ods-etr: without an English NHS region).
        #[arg(long)]
        region_required: bool,
        /// Check the file and say what would change, without changing anything.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List public bodies.
    List {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Text in the name, or an exact ODS code.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum CampaignsCommand {
    /// Create a campaign and one draft request to each target body.
    Create(CreateCampaign),
    /// List campaigns.
    List {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show a campaign and how many of its requests are in each status.
    Show {
        id: i64,
        /// Judge statuses as on this date instead of today.
        #[arg(long, value_name = "DATE", value_parser = date)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Email the campaign's requests to the bodies' FOI addresses, paced, in the background of
    /// `serve` (or with `foitrack outbox deliver`). Each request is logged as sent when the mail
    /// server accepts it.
    Send(SendCampaign),
    /// Chase late bodies: a polite follow-up when a request is overdue by some working days, and
    /// a request for internal review when it is very overdue (both sent by `foitrack remind` or
    /// daily by `serve`).
    Chasers {
        id: i64,
        /// Turn chasing on.
        #[arg(long, conflicts_with = "off")]
        on: bool,
        /// Turn chasing off.
        #[arg(long)]
        off: bool,
        /// Working days overdue before the chaser goes, 1 to 200 (default 5).
        #[arg(long, value_name = "N")]
        after: Option<u32>,
    },
    /// Send this user the campaign's reminders too (its owner always gets them).
    Watch {
        id: i64,
        #[arg(long, value_name = "EMAIL")]
        user: String,
    },
    /// Stop sending this user the campaign's reminders.
    Unwatch {
        id: i64,
        #[arg(long, value_name = "EMAIL")]
        user: String,
    },
    /// Log the campaign's requests as sent, all at once.
    LogSent {
        id: i64,
        /// When they were sent: 2021-12-06, 2021-12-06T09:30 (London time) or an RFC 3339 time.
        #[arg(long, value_name = "WHEN")]
        sent_at: String,
        /// email, portal, post, form or other.
        #[arg(long, default_value = "email")]
        channel: String,
        /// Only these request ids (comma-separated); by default every unsent request.
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        only: Option<Vec<i64>>,
        /// The date of receipt, when it is not the day they were sent.
        #[arg(long, value_name = "DATE", value_parser = date)]
        received_on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct CreateCampaign {
    #[arg(long)]
    pub title: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// The subject of each request; may use {{authority.name}}, {{request.reference}} …
    #[arg(long)]
    pub subject: String,
    /// A file holding the body of each request, with the same placeholders.
    #[arg(long, value_name = "FILE")]
    pub body_file: PathBuf,
    /// foia (default), eir, foisa, eisr, or a regime from the settings.
    #[arg(long, default_value = "foia")]
    pub regime: String,
    /// Reference prefix, e.g. ABT-2021 (default: the title's initials and the year).
    #[arg(long)]
    pub prefix: Option<String>,
    /// Send to every public body.
    #[arg(long)]
    pub all: bool,
    /// Send to the bodies in this region (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Send to the bodies with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Send to these body ids (comma-separated).
    #[arg(long = "authorities", value_delimiter = ',', value_name = "IDS")]
    pub authority_ids: Vec<i64>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List requests, soonest due first.
    List(ListRequests),
    /// Show one request with its timeline (by id or reference).
    Show {
        request: String,
        #[arg(long, value_name = "DATE", value_parser = date)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Record that a request was sent.
    LogSent {
        /// The request's id or reference.
        request: String,
        /// When: 2021-12-06, 2021-12-06T09:30 (London time) or an RFC 3339 time.
        #[arg(long, value_name = "WHEN")]
        sent_at: String,
        /// email, portal, post, form or other.
        #[arg(long, default_value = "email")]
        channel: String,
        /// The address used (default for email: the body's FOI address).
        #[arg(long)]
        address: Option<String>,
        /// The date of receipt, when it is not the day it was sent (by post: by default the
        /// second working day after posting).
        #[arg(long, value_name = "DATE", value_parser = date)]
        received_on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Explain how a request's deadlines were worked out (by id or reference).
    Deadline {
        request: String,
        #[arg(long, value_name = "DATE", value_parser = date)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Record something that happened: acknowledged, clarification_requested,
    /// clarification_sent, fee_notice_given, fee_paid, extension_claimed, response_received,
    /// internal_review_requested, internal_review_answered, ico_complaint, withdrawn, closed,
    /// note, or retraction (to undo a mistaken event).
    Event(RecordEvent),
    /// Say what a reply is (`requests show` lists the replies, with a suggestion): full,
    /// partial, refused, not_held, clarification_requested, fee_notice, extension or
    /// not_a_response. Records the event it means on the timeline (none for not_a_response).
    Classify(ClassifyReply),
}

#[derive(Debug, Args)]
pub struct ClassifyReply {
    /// The request's id or reference.
    pub request: String,
    /// The incoming message's id, as `requests show` lists it.
    pub message: i64,
    /// What it is: one of the words listed above.
    pub classification: String,
    /// The day of the answer (default: the day the message was sent).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub on: Option<NaiveDate>,
    /// An exemption cited, such as s.12 or s.40(2) (repeatable).
    #[arg(long = "exemption", value_name = "SECTION")]
    pub exemptions: Vec<String>,
    /// For extensions: the new due date the body gave.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub new_due_on: Option<NaiveDate>,
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct ListRequests {
    #[arg(long, value_name = "ID")]
    pub campaign: Option<i64>,
    #[arg(long, value_name = "ID")]
    pub authority: Option<i64>,
    #[arg(long)]
    pub region: Option<String>,
    /// draft, awaiting_response, awaiting_clarification, awaiting_fee, overdue, very_overdue,
    /// answered, partially_answered, refused, not_held, internal_review, withdrawn, closed.
    #[arg(long)]
    pub status: Option<String>,
    /// Only late requests (overdue or very overdue).
    #[arg(long)]
    pub overdue: bool,
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub due_before: Option<NaiveDate>,
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub due_after: Option<NaiveDate>,
    /// Text in our reference or the body's reference.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// due_on, -due_on, reference, sent_on, -sent_on or -updated_at (a leading - sorts in
    /// reverse).
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// Judge statuses as on this date instead of today.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub as_of: Option<NaiveDate>,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct RecordEvent {
    /// The request's id or reference.
    pub request: String,
    /// What happened: one of the kinds listed above.
    pub kind: String,
    /// The day it happened (default: today).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub on: Option<NaiveDate>,
    #[arg(long)]
    pub note: Option<String>,
    /// The body's own reference number.
    #[arg(long, value_name = "REF")]
    pub body_reference: Option<String>,
    /// For responses and review answers: full, partial, refused, not_held or other.
    #[arg(long)]
    pub outcome: Option<String>,
    /// An exemption cited, such as s.12 or s.40(2) (repeatable).
    #[arg(long = "exemption", value_name = "SECTION")]
    pub exemptions: Vec<String>,
    /// For extensions: the new due date the body gave.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub new_due_on: Option<NaiveDate>,
    /// For retractions: the id of the event recorded by mistake.
    #[arg(long, value_name = "EVENT_ID")]
    pub retracts: Option<i64>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user and print their first API token.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// admin (administers the site and owns its workspace), researcher, coder (records
        /// events) or viewer (reads only). The user joins --workspace (by default the only
        /// one) with this role.
        #[arg(long, default_value = "researcher")]
        role: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List users.
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Set a user's password for signing in to the web pages. It is read from standard input:
    /// typed (not shown) on a terminal, or piped in by a script. At least 10 characters.
    Password {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Your workspaces (a site administrator sees them all).
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Create a workspace and appoint its first owner (site administrators).
    Create {
        /// Its short name: 2 to 40 lower-case letters, digits and hyphens, such as nhs-abt.
        slug: String,
        #[arg(long)]
        name: String,
        /// The email of an existing user, who becomes its first owner.
        #[arg(long, value_name = "EMAIL")]
        owner: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Give a workspace a new name.
    Rename {
        slug: String,
        #[arg(long)]
        name: String,
    },
    /// Archive a workspace: it can still be read, but not changed, and sends no mail.
    Archive { slug: String },
    /// Bring an archived workspace back.
    Unarchive { slug: String },
    /// Who belongs to a workspace, and with what role.
    Members {
        slug: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Add an existing user to a workspace (its owners, or a site administrator).
    AddMember {
        slug: String,
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// owner (also manages members), researcher, coder (records events) or viewer.
        #[arg(long)]
        role: String,
    },
    /// Change a member's role.
    SetRole {
        slug: String,
        #[arg(long, value_name = "EMAIL")]
        email: String,
        #[arg(long)]
        role: String,
    },
    /// Remove a member; their reminders stop at once.
    RemoveMember {
        slug: String,
        #[arg(long, value_name = "EMAIL")]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; it is printed once.
    Create {
        #[arg(long, value_name = "EMAIL")]
        user: String,
        #[arg(long)]
        label: Option<String>,
        /// A token that can only deliver incoming mail (POST /api/v1/inbound), for a mail
        /// provider's webhook or a mail server's pipe. With --workspace, mail that matches no
        /// request waits in that workspace's holding pen instead of the site's.
        #[arg(long)]
        ingest: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Revoke a token by its id, so it no longer works.
    Revoke { id: i64 },
}

/// Dates on the command line: YYYY-MM-DD, within the years foitrack works with.
fn date(text: &str) -> Result<NaiveDate, String> {
    crate::domain::london::parse_date(text)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
