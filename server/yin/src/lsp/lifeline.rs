//! The server's tie to its client: `yin lsp` ends when the client is gone, whether the client
//! closed the server's stdin or died without a word (an orphaned server was once seen spinning
//! for 40 minutes).
//!
//! Two signs are watched. The end of stdin ([`GRACE`] after it, [`super::run`] stops serving
//! even if requests are still running: nobody is left to read their answers). And the
//! `processId` the client gives in `initialize` (LSP 3.17: "if the parent process is not alive
//! then the server should exit"): [`WatchClient`], a layer around the service, notes it, and a
//! thread looks every [`POLL`] whether that process still runs, through `/proc` (Linux; where
//! there is no `/proc` the process is not watched, and stdin's end remains the sign).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::task::{Context, Poll};
use std::time::Duration;

use tower::Service;
use tower_lsp_server::jsonrpc::Request;

/// How long requests may still run after stdin ended.
pub(crate) const GRACE: Duration = Duration::from_secs(2);
/// How often the client's process is looked for.
const POLL: Duration = Duration::from_secs(2);

/// Passes every request to `S`, and starts watching the client's process when `initialize`
/// names it.
pub(crate) struct WatchClient<S> {
    inner: S,
}

impl<S> WatchClient<S> {
    pub(crate) fn new(inner: S) -> WatchClient<S> {
        WatchClient { inner }
    }
}

impl<S> Service<Request> for WatchClient<S>
where
    S: Service<Request>,
    S::Future: Future,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> S::Future {
        if request.method() == "initialize"
            && let Some(pid) = request
                .params()
                .and_then(|params| params.get("processId"))
                .and_then(serde_json::Value::as_u64)
                .and_then(|pid| u32::try_from(pid).ok())
        {
            watch(pid);
        }
        self.inner.call(request)
    }
}

/// Ends this process once process `pid` is gone; does nothing where processes cannot be seen.
fn watch(pid: u32) {
    if !Path::new("/proc/self/stat").exists() {
        return;
    }
    let stat = PathBuf::from(format!("/proc/{pid}/stat"));
    let spawned = std::thread::Builder::new()
        .name("yin-client-watch".to_owned())
        .spawn(move || {
            while is_alive(&stat) {
                std::thread::sleep(POLL);
            }
            // stderr is the server log for LSP clients.
            crate::cli::report_error(&format!("lsp: the client (process {pid}) is gone; exiting"));
            std::process::exit(1);
        });
    if let Err(err) = spawned {
        crate::cli::report_error(&format!(
            "lsp: cannot watch the client's process {pid}: {err}"
        ));
    }
}

/// Whether the process whose `/proc/PID/stat` is `stat` runs: it exists and is not a zombie
/// (a dead client whose parent has not reaped it yet is gone too).
fn is_alive(stat: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(stat) else {
        return false;
    };
    // `PID (COMMAND) STATE ...`; the command may hold spaces and parentheses, the state
    // follows the last `)`.
    let state = text
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_process_is_alive_and_a_missing_or_dead_one_is_not() {
        if !Path::new("/proc/self/stat").exists() {
            return;
        }
        assert!(is_alive(Path::new("/proc/self/stat")));
        assert!(!is_alive(Path::new("/proc/999999999/stat")));
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let stat = PathBuf::from(format!("/proc/{}/stat", child.id()));
        // Not yet reaped: a zombie, which counts as gone.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while is_alive(&stat) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!is_alive(&stat));
        child.wait().expect("reaped");
    }
}
