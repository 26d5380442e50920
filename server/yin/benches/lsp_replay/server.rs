//! One `yin lsp` process driven over stdio, where every wait has a deadline and a memory cap:
//! a slow or swelling server ends the wait with a [`Stop`] instead of hanging the bench or the
//! machine. Also the `/proc` readings (CPU time, resident memory, load) the report shows.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use test_support::lsp::{spawn_reader, write_message};

/// How often a wait looks at the server's resident memory.
const MEMORY_POLL: Duration = Duration::from_millis(50);

/// Why a wait ended without its answer. The server is killed in every case: it may still be
/// working on the request, and its state is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The scenario's time cap passed.
    Timeout,
    /// The server's resident memory passed the cap.
    Memory,
    /// The server closed its output (it crashed or exited).
    Died,
}

pub(crate) struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Responses read while waiting for something else, by request id.
    responses: HashMap<u64, Value>,
    /// Versions of `publishDiagnostics` seen, per URI, since the last [`Server::take_published`].
    published: HashMap<String, Vec<i64>>,
    next_id: u64,
    memory_cap_kib: u64,
    /// The highest resident memory a wait has seen (it outlives a kill, unlike `VmHWM`).
    max_seen_kib: u64,
}

impl Server {
    /// Starts `binary lsp` and initializes it with `initialize` params; `None` when it does not
    /// answer `initialize` before `deadline`.
    pub(crate) fn start(
        binary: &Path,
        initialize: Value,
        memory_cap_kib: u64,
        deadline: Instant,
    ) -> Result<Server, Stop> {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| Stop::Died)?;
        let stdout = child.stdout.take().ok_or(Stop::Died)?;
        let stdin = child.stdin.take();
        let incoming = spawn_reader(stdout);
        let mut server = Server {
            child,
            stdin,
            incoming,
            responses: HashMap::new(),
            published: HashMap::new(),
            next_id: 1,
            memory_cap_kib,
            max_seen_kib: 0,
        };
        server.request("initialize", initialize, deadline)?;
        server.notify("initialized", json!({}));
        Ok(server)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The peak memory: `VmHWM` while the process lives, and what the waits saw.
    pub(crate) fn peak_kib(&self) -> u64 {
        self.max_seen_kib.max(peak_kib(self.pid()))
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its whole response (`result` or `error`).
    pub(crate) fn request(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, Stop> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        if let Some(response) = self.responses.remove(&id) {
            return Ok(response);
        }
        let wanted = json!(id);
        self.pump(deadline, |message| {
            message.get("id") == Some(&wanted) && message.get("method").is_none()
        })?
        .ok_or(Stop::Timeout)
    }

    /// Waits for the `publishDiagnostics` of `uri` at `version`; earlier ones are passed over.
    pub(crate) fn diagnostics(
        &mut self,
        uri: &str,
        version: i64,
        deadline: Instant,
    ) -> Result<Value, Stop> {
        if self
            .published
            .get(uri)
            .is_some_and(|seen| seen.contains(&version))
        {
            return Ok(Value::Null);
        }
        self.pump(deadline, |message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
        })?
        .ok_or(Stop::Timeout)
    }

    /// Waits for the first notification that is `wanted`.
    pub(crate) fn notification(
        &mut self,
        wanted: impl Fn(&Value) -> bool,
        deadline: Instant,
    ) -> Result<Value, Stop> {
        self.pump(deadline, |message| {
            message.get("id").is_none() && wanted(message)
        })?
        .ok_or(Stop::Timeout)
    }

    /// Reads (and answers) what the server sends until `until`: a pause in which the server's
    /// memory is still watched.
    pub(crate) fn idle(&mut self, until: Instant) -> Result<(), Stop> {
        self.pump(until, |_| false).map(|_| ())
    }

    /// The versions of `uri` published since the last call.
    pub(crate) fn take_published(&mut self, uri: &str) -> Vec<i64> {
        self.published.remove(uri).unwrap_or_default()
    }

    /// Reads messages until one is `wanted` (`Some`) or `until` passes (`None`), keeping
    /// responses for later, noting published versions and answering the server's requests.
    fn pump(
        &mut self,
        until: Instant,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Option<Value>, Stop> {
        loop {
            let resident = resident_kib(self.pid());
            self.max_seen_kib = self.max_seen_kib.max(resident);
            if resident > self.memory_cap_kib {
                self.kill();
                return Err(Stop::Memory);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            match self.incoming.recv_timeout(left.min(MEMORY_POLL)) {
                Ok(message) => {
                    if message["method"] == "textDocument/publishDiagnostics"
                        && let (Some(uri), Some(version)) = (
                            message["params"]["uri"].as_str(),
                            message["params"]["version"].as_i64(),
                        )
                    {
                        self.published
                            .entry(uri.to_owned())
                            .or_default()
                            .push(version);
                    }
                    if wanted(&message) {
                        return Ok(Some(message));
                    }
                    self.keep(message);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.kill();
                    return Err(Stop::Died);
                }
            }
        }
    }

    fn keep(&mut self, message: Value) {
        let id = message.get("id").cloned();
        match (id, message.get("method").and_then(Value::as_str)) {
            (Some(id), None) => {
                if let Some(id) = id.as_u64() {
                    self.responses.insert(id, message);
                }
            }
            (Some(id), Some(method)) => {
                // The server's own requests (progress tokens, watcher registration,
                // configuration): answered so it never waits on the bench.
                let result = if method == "workspace/configuration" {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; items])
                } else {
                    Value::Null
                };
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            _ => {}
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        if let Some(stdin) = self.stdin.as_mut() {
            // A write to a dead server fails; the next wait then reports it as `Died`.
            let _ = write_message(stdin, &body);
        }
    }

    /// `shutdown` then `exit`, killed if it does not end within `grace`.
    pub(crate) fn exit(mut self, grace: Duration) {
        let deadline = Instant::now() + grace;
        let _ = self.request("shutdown", Value::Null, deadline);
        self.notify("exit", Value::Null);
        self.stdin = None;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }

    pub(crate) fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // An interrupted scenario must not leave a server behind.
        self.kill();
    }
}

/// Waits until the process has used no CPU for 300 ms (at most 10 s), so that work left over
/// from an earlier scenario (a closed document freed on a blocking thread, say) is not counted
/// in the next one's CPU time.
pub(crate) fn settle(pid: u32) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut last = cpu_ms(pid);
    let mut quiet = 0;
    while quiet < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let now = cpu_ms(pid);
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
}

/// The process's CPU time (user and system, all its threads, living or ended) in milliseconds,
/// from `/proc/PID/stat`, clock ticks taken as 10 ms (Linux's usual `CLK_TCK`).
pub(crate) fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name (which may hold spaces), utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let field = |n: usize| {
        fields
            .get(n)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field(11) + field(12)) * 10
}

/// Resident memory now (`VmRSS`), in KiB; 0 once the process is gone.
pub(crate) fn resident_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:")
}

/// Peak resident memory so far (`VmHWM`), in KiB.
pub(crate) fn peak_kib(pid: u32) -> u64 {
    status_kib(pid, "VmHWM:")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The 1, 5 and 15 minute load averages.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}
