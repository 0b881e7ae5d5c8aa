//! Reading an attachment's text in a child process of foitrack itself, so that a hostile or
//! broken file can cost one child, never the service: the child runs with limits on processor
//! time, memory and file writes, and the parent stops it after a wall-clock timeout. Whatever
//! becomes of the child, the parent gets an [`Extracted`]: never a panic, never a hang.
//!
//! The protocol is ours alone: `foitrack __extract-text FORMAT CPU_SECONDS MEMORY_MB`, the file
//! on standard input, and on standard output a first line (`foitrack-extract 1 ok` or
//! `foitrack-extract 1 failed`) followed by the text or the reason.

use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Extracted, Format, MAX_TEXT_BYTES};

/// The first argument that makes foitrack a text reader rather than the command line.
pub const CHILD_ARG: &str = "__extract-text";
const HEADER: &str = "foitrack-extract 1";
/// Less memory than this and the child could not start; settings refuse less.
pub const MIN_MEMORY_MB: u64 = 64;

/// The limits on one extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Processor time, enforced by the kernel (RLIMIT_CPU).
    pub cpu_seconds: u64,
    /// Time from start to end, waiting included; the parent kills the child after it.
    pub wall_seconds: u64,
    /// Address space (RLIMIT_AS).
    pub memory_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { cpu_seconds: 30, wall_seconds: 60, memory_mb: 1024 }
    }
}

/// Runs text readers in child processes.
#[derive(Debug, Clone)]
pub struct Extractor {
    program: PathBuf,
    limits: Limits,
}

impl Extractor {
    /// An extractor that runs `program`, which must be foitrack: the running program unless a
    /// test (whose own binary is a test harness) names the real one.
    pub fn new(program: PathBuf, limits: Limits) -> Self {
        Self { program, limits }
    }

    /// The running program as its own extractor.
    pub fn this_program(limits: Limits) -> Self {
        let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("foitrack"));
        Self::new(program, limits)
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The text of `data`, read as `format` in a child process.
    pub fn extract(&self, format: Format, data: &[u8]) -> Extracted {
        match self.run(format, data) {
            Ok(extracted) => extracted,
            Err(e) => {
                tracing::warn!(program = %self.program.display(), error = %e, "the text reader could not be run");
                Extracted::Failed(format!("the text reader could not be run ({e})"))
            }
        }
    }

    fn run(&self, format: Format, data: &[u8]) -> std::io::Result<Extracted> {
        // A file, not a pipe, for the input: the child reads it whole before it answers, and
        // no pipe can fill up while the parent waits to write.
        let mut input = tempfile::tempfile()?;
        input.write_all(data)?;
        input.rewind()?;
        let Limits { cpu_seconds, wall_seconds, memory_mb } = self.limits;
        let mut child = Command::new(&self.program)
            .arg(CHILD_ARG)
            .arg(format.name())
            .arg(cpu_seconds.to_string())
            .arg(memory_mb.to_string())
            // The child needs nothing of the service's environment (its secrets least), only
            // what the dynamic loader may need to start the program at all.
            .env_clear()
            .envs(std::env::vars_os().filter(|(k, _)| k == "LD_LIBRARY_PATH"))
            .stdin(input)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let Some(mut stdout) = child.stdout.take() else {
            stop(&mut child);
            return Err(std::io::Error::other("the child's output was not piped"));
        };
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::Builder::new().name("extract-reader".into()).spawn(move || {
            let mut answer = Vec::new();
            let read =
                (&mut stdout).take((MAX_TEXT_BYTES + HEADER.len() + 16) as u64).read_to_end(&mut answer);
            let _ = tx.send(read.map(|_| answer));
        });
        let reader = match reader {
            Ok(reader) => reader,
            Err(e) => {
                stop(&mut child);
                return Err(e);
            }
        };
        let deadline = Instant::now() + Duration::from_secs(wall_seconds);
        let timed_out = || {
            Extracted::Failed(format!(
                "reading its text took longer than {}, and was stopped",
                seconds(wall_seconds)
            ))
        };
        let answer = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(answer) => answer,
            Err(_) => {
                stop(&mut child);
                let _ = reader.join();
                return Ok(timed_out());
            }
        };
        let _ = reader.join();
        // The child closed its output; it may still not exit, and the deadline still holds.
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(interpret(status, &answer?, self.limits));
            }
            if Instant::now() >= deadline {
                stop(&mut child);
                return Ok(timed_out());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Kills and reaps the child, so that none is left running or as a zombie.
fn stop(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// What the child's exit and answer mean.
fn interpret(status: ExitStatus, answer: &[u8], limits: Limits) -> Extracted {
    if status.success()
        && let Some(rest) = answer.strip_prefix(HEADER.as_bytes())
    {
        let text = String::from_utf8_lossy(rest);
        if let Some(text) = text.strip_prefix(" ok\n") {
            return Extracted::Text(text.to_string());
        }
        if let Some(why) = text.strip_prefix(" failed\n") {
            return Extracted::Failed(why.to_string());
        }
    }
    Extracted::Failed(stopped(status, limits))
}

#[cfg(unix)]
fn stopped(status: ExitStatus, limits: Limits) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(libc::SIGXCPU) => {
            format!(
                "reading its text needed more than {} of processing, and was stopped",
                seconds(limits.cpu_seconds)
            )
        }
        // The hard processor limit, or the kernel's out-of-memory killer.
        Some(libc::SIGKILL) => format!(
            "reading its text was stopped: it needed more than {} of processing, or more memory than the machine had",
            seconds(limits.cpu_seconds)
        ),
        // Rust aborts when an allocation fails, which the memory limit makes happen.
        Some(libc::SIGABRT) => format!(
            "reading its text needed more than {} MB of memory, or the reader gave up on it",
            limits.memory_mb
        ),
        Some(signal) => format!("the text reader stopped on signal {signal}"),
        None if status.success() => "the text reader's answer was not understood: is it foitrack?".into(),
        None => format!("the text reader stopped with exit code {}", status.code().unwrap_or(-1)),
    }
}

fn seconds(n: u64) -> String {
    if n == 1 { "1 second".into() } else { format!("{n} seconds") }
}

#[cfg(not(unix))]
fn stopped(status: ExitStatus, _limits: Limits) -> String {
    format!("the text reader stopped ({status})")
}

/// The child's side: `args` are those after [`CHILD_ARG`]. Returns the exit code.
pub fn child_main(args: &[String]) -> i32 {
    let (Some(format), Some(cpu), Some(memory)) = (
        args.first().and_then(|f| Format::from_name(f)),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
        args.get(2).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: foitrack {CHILD_ARG} FORMAT CPU_SECONDS MEMORY_MB (used by foitrack itself)");
        return 64;
    };
    limit_self(cpu, memory);
    // The answer says what went wrong; a panic message on standard error would reach nobody.
    std::panic::set_hook(Box::new(|_| {}));
    let mut data = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut data) {
        return answer(&Extracted::Failed(format!("the file could not be handed to the reader ({e})")));
    }
    let extracted = std::panic::catch_unwind(|| super::read(format, &data)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Extracted::Failed(format!("the {} reader could not make sense of the file ({why})", format.name()))
    });
    answer(&extracted)
}

fn answer(extracted: &Extracted) -> i32 {
    let (word, body) = match extracted {
        Extracted::Text(text) => ("ok", text.as_str()),
        Extracted::Failed(why) => ("failed", why.as_str()),
    };
    let mut out = std::io::stdout().lock();
    let written = write!(out, "{HEADER} {word}\n{body}").and_then(|_| out.flush());
    if written.is_ok() { 0 } else { 74 }
}

/// Limits the child puts on itself before it reads a byte of the file.
fn limit_self(cpu_seconds: u64, memory_mb: u64) {
    #[cfg(unix)]
    {
        let set = |resource, soft: u64, hard: u64| {
            let limit = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
            // SAFETY: setrlimit reads the struct it is given and changes only this process.
            unsafe { libc::setrlimit(resource, &limit) };
        };
        // SIGXCPU at the soft limit; the hard limit, a second on, kills it outright.
        set(libc::RLIMIT_CPU, cpu_seconds.max(1), cpu_seconds.max(1) + 1);
        let bytes = memory_mb.max(MIN_MEMORY_MB).saturating_mul(1024 * 1024);
        set(libc::RLIMIT_AS, bytes, bytes);
        // A reader has no business writing files, nor leaving a core of a hostile file.
        set(libc::RLIMIT_FSIZE, 0, 0);
        set(libc::RLIMIT_CORE, 0, 0);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn exited(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    #[test]
    fn answers_are_read_by_their_header() {
        let limits = Limits::default();
        assert_eq!(
            interpret(exited(0), b"foitrack-extract 1 ok\nWe hold", limits),
            Extracted::Text("We hold".into())
        );
        assert_eq!(
            interpret(exited(0), b"foitrack-extract 1 failed\nencrypted", limits),
            Extracted::Failed("encrypted".into())
        );
        let Extracted::Failed(why) = interpret(exited(0), b"running 0 tests", limits) else { panic!() };
        assert!(why.contains("is it foitrack"), "{why}");
    }

    #[test]
    fn signals_name_the_limit_that_stopped_the_child() {
        let limits = Limits { cpu_seconds: 7, wall_seconds: 9, memory_mb: 256 };
        let why = |signal| match interpret(ExitStatus::from_raw(signal), b"", limits) {
            Extracted::Failed(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(why(libc::SIGXCPU).contains("7 seconds"));
        assert!(why(libc::SIGABRT).contains("256 MB"));
        assert!(why(libc::SIGSEGV).contains("signal 11"));
        assert!(
            matches!(interpret(exited(3), b"", limits), Extracted::Failed(w) if w.contains("exit code 3"))
        );
    }
}
