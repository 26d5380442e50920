//! `yin lsp`: the language server on stdin/stdout.
//!
//! This module only converts. [`server`] is the router (one line per LSP method), [`handlers`]
//! holds one thin function per request or notification (convert the params, call `analysis`,
//! convert the result back), [`convert`] holds every conversion between LSP and analysis types,
//! and [`state`] holds the open documents and the one ordered path text changes take. No
//! analysis is written here: it lives in the `analysis` crate, which knows nothing of LSP, and
//! runs on tokio's blocking pool, guarded against panics.
//!
//! docs/lsp.md describes the protocol surface and the ordering guarantees.

mod capabilities;
mod convert;
mod eval_worker;
mod ext;
mod framing;
mod handlers;
mod lifeline;
mod live;
mod memory;
mod panics;
mod semantic_tokens;
mod server;
mod state;

use std::process::ExitCode;
use std::time::Duration;

use tower_lsp_server::{LspService, Server};

/// Requests served at once. tower-lsp-server reads the next message only while fewer are in
/// flight, and `$/cancelRequest` is itself a message: with its default of 4, four running
/// evaluations kept every cancellation and hover waiting. Evaluations hold at most
/// [`eval_worker::MAX_IN_FLIGHT`] of these; the rest stay free for everything else.
const CONCURRENCY: usize = eval_worker::MAX_IN_FLIGHT + 64;

/// Serves LSP on stdin/stdout until the client sends `exit` or is gone ([`lifeline`]). Exit
/// status 0 when `shutdown` came first, 1 otherwise (LSP 3.17, `exit`).
pub(crate) fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            crate::cli::report_error(&format!("cannot start the async runtime: {err}"));
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(async {
        let (service, socket) = LspService::build(server::YinServer::new)
            .custom_method("yin/viewFileText", server::YinServer::view_file_text)
            .custom_method("yin/eval", server::YinServer::eval)
            .custom_method(
                "yin/session/interrupt",
                server::YinServer::session_interrupt,
            )
            .custom_method("yin/session/reset", server::YinServer::session_reset)
            .custom_method("yin/session/info", server::YinServer::session_info)
            .custom_method("yin/inspect", server::YinServer::inspect)
            .custom_method("yin/inspect/text", server::YinServer::inspect_text)
            .custom_method(
                "window/workDoneProgress/cancel",
                server::YinServer::progress_cancel,
            )
            .custom_method("yin/query", server::YinServer::query)
            .custom_method("yin/debug/start", server::YinServer::debug_start)
            .custom_method("yin/debug/step", server::YinServer::debug_step)
            .custom_method("yin/debug/stop", server::YinServer::debug_stop)
            .finish();
        let state = service.inner().state();
        let (input, input_ended) = framing::checked(tokio::io::stdin());
        let serve = Server::new(input, tokio::io::stdout(), socket)
            .concurrency_level(CONCURRENCY)
            .serve(framing::AnswerMalformed::new(lifeline::WatchClient::new(
                panics::CatchPanics::new(service),
            )));
        let client_gone = async {
            // An error means the reading task is gone, which is an end of input too.
            let _ = input_ended.await;
            tokio::time::sleep(lifeline::GRACE).await;
        };
        tokio::select! {
            () = serve => {}
            () = client_gone => crate::cli::report_error("lsp: stdin ended; exiting"),
        }
        state.was_shut_down()
    });
    // Reading stdin blocks a thread of the runtime's pool, and a client may keep stdin open
    // after `exit`: do not wait for that read.
    runtime.shutdown_timeout(Duration::from_millis(100));
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
