//! Stopping a run that writes, cleanly: the first SIGINT (Ctrl-C) or SIGTERM stops new writes
//! from starting and gives the ones in flight [`GRACE`] to finish, so that the run ends with its
//! summary of what was and was not written; a second SIGINT exits at once.

use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How long writes in flight may go on after a stop signal.
pub const GRACE: Duration = Duration::from_secs(10);

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a run it stopped: 128 + the signal's number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Whether, and since when, a run has been asked to stop.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<Option<(Signal, Instant)>>);

impl Stop {
    /// Listens for SIGINT and SIGTERM from now on, for the rest of the process. Needs a Tokio
    /// runtime.
    pub fn listen() -> Stop {
        let (tx, rx) = watch::channel(None);
        tokio::spawn(watch_signals(tx));
        Stop(rx)
    }

    /// The signal received, if any.
    pub fn signal(&self) -> Option<Signal> {
        self.0.borrow().map(|(s, _)| s)
    }

    /// Resolves when a stop signal arrives.
    pub async fn requested(&self) -> Signal {
        let mut rx = self.0.clone();
        let received = match rx.wait_for(Option::is_some).await {
            Ok(value) => value.map(|(signal, _)| signal),
            Err(_) => None,
        };
        match received {
            Some(signal) => signal,
            None => std::future::pending().await,
        }
    }

    /// Resolves when the grace period after a stop signal is over.
    pub async fn expired(&self) {
        self.requested().await;
        let since = self.0.borrow().expect("a signal arrived").1;
        tokio::time::sleep_until(since + GRACE).await;
    }
}

#[cfg(unix)]
async fn watch_signals(tx: watch::Sender<Option<(Signal, Instant)>>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    loop {
        let received = tokio::select! {
            _ = int.recv() => Signal::Interrupt,
            _ = term.recv() => Signal::Terminate,
        };
        if tx.borrow().is_some() {
            if received == Signal::Interrupt {
                // The second Ctrl-C: the user wants out now.
                std::process::exit(i32::from(Signal::Interrupt.exit_code()));
            }
            continue;
        }
        tx.send_replace(Some((received, Instant::now())));
    }
}

#[cfg(not(unix))]
async fn watch_signals(tx: watch::Sender<Option<(Signal, Instant)>>) {
    while tokio::signal::ctrl_c().await.is_ok() {
        if tx.borrow().is_some() {
            std::process::exit(i32::from(Signal::Interrupt.exit_code()));
        }
        tx.send_replace(Some((Signal::Interrupt, Instant::now())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_the_signal_number() {
        assert_eq!(Signal::Interrupt.exit_code(), 128 + 2);
        assert_eq!(Signal::Terminate.exit_code(), 128 + 15);
    }
}
