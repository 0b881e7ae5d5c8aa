//! The command-line adapter: parse arguments, call the service, print the result.

mod args;
mod coding;
mod codings;
mod commands;
mod deadlines;
mod feed;
mod ingest;
mod outbox;
mod output;
mod password;
mod report;
mod search;
mod serve;
mod workspaces;

pub use args::Cli;

use clap::Parser;

use crate::service::ServiceError;

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    // foitrack runs itself to read attachments' text: that child must not start a command line.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == crate::extract::child::CHILD_ARG) {
        let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
        return crate::extract::child::child_main(&rest);
    }
    let cli = Cli::parse();
    if !matches!(cli.command, args::Command::Serve) {
        quiet_on_closed_pipe();
    }
    match commands::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            // Errors quote input and servers' answers (a mail server's, a holiday feed's).
            eprintln!("error: {}", output::safe_text(&format!("{e:#}")));
            exit_code(&e)
        }
    }
}

/// `foitrack requests list | head` should stop quietly when `head` has read enough, as other
/// command-line tools do, rather than panic on the broken pipe. Not for `serve`, where a client
/// that hangs up must not end the process.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Exit codes a script can tell apart: 1 for anything, with the sysexits meanings where one fits.
fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<crate::config::ConfigError>().is_some() {
        return 78;
    }
    match e.downcast_ref::<ServiceError>() {
        Some(ServiceError::Invalid { .. }) => 65,
        Some(ServiceError::NotFound(_)) => 66,
        Some(ServiceError::Unavailable { .. }) => 69,
        Some(ServiceError::Internal { .. }) => 70,
        Some(ServiceError::Forbidden(_) | ServiceError::Unauthorized(_)) => 77,
        _ => 1,
    }
}
