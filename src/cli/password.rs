//! Reading a password from standard input: typed without being shown on a terminal, or one
//! line piped in by a script.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;

pub fn read(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let _hidden = if terminal {
        eprint!("{prompt}");
        std::io::stderr().flush().ok();
        Some(EchoOff::new())
    } else {
        None
    };
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
    if terminal {
        eprintln!();
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The terminal's echo, off until dropped.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> Self {
        // SAFETY: tcgetattr and tcsetattr only read and set standard input's terminal settings,
        // through a termios we own.
        unsafe {
            let mut settings: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut settings) != 0 {
                return Self(None);
            }
            let saved = settings;
            settings.c_lflag &= !libc::ECHO;
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &settings);
            Self(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: as above, restoring the settings read at the start.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}
