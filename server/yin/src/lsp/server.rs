//! The router: the `LanguageServer` implementation, one line per method, each delegating to its
//! handler. Nothing else belongs here.

use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::eval_worker::EvalWorker;
use super::ext;
use super::handlers::{self, ViewFileTextParams};
use super::state::{Publish, State};

pub(crate) struct YinServer {
    client: Client,
    state: Arc<State>,
    /// `None` if the evaluation thread could not be started: evaluation requests then fail.
    worker: Option<EvalWorker>,
}

impl YinServer {
    /// Must be called inside the runtime: it spawns the task that publishes diagnostics, one at
    /// a time in queue order.
    pub(crate) fn new(client: Client) -> YinServer {
        let (publish, mut queue) = mpsc::unbounded_channel::<Publish>();
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(Publish {
                uri,
                version,
                diagnostics,
            }) = queue.recv().await
            {
                publisher
                    .publish_diagnostics(uri, diagnostics, version)
                    .await;
            }
        });
        YinServer {
            client,
            state: State::new(publish),
            worker: EvalWorker::spawn().ok(),
        }
    }

    pub(crate) fn state(&self) -> Arc<State> {
        self.state.clone()
    }

    /// `yin/viewFileText`: the server's copy of a document, exactly.
    pub(crate) async fn view_file_text(&self, params: ViewFileTextParams) -> Result<String> {
        handlers::view_file_text(&self.state, params)
    }

    pub(crate) async fn eval(&self, params: ext::EvalParams) -> Result<ext::EvalResult> {
        handlers::eval(&self.state, &self.client, self.worker.as_ref(), params).await
    }

    pub(crate) async fn session_interrupt(
        &self,
        params: ext::SessionParams,
    ) -> Result<ext::InterruptResult> {
        handlers::session_interrupt(&self.state, self.worker.as_ref(), params)
    }

    pub(crate) async fn session_reset(&self, params: ext::SessionParams) -> Result<()> {
        handlers::session_reset(&self.state, self.worker.as_ref(), params).await
    }

    pub(crate) async fn session_info(
        &self,
        params: ext::SessionInfoParams,
    ) -> Result<ext::SessionInfo> {
        handlers::session_info(&self.state, self.worker.as_ref(), params).await
    }

    pub(crate) async fn inspect(&self, params: ext::InspectParams) -> Result<ext::InspectPage> {
        handlers::inspect(self.worker.as_ref(), params).await
    }

    pub(crate) async fn inspect_text(
        &self,
        params: ext::InspectTextParams,
    ) -> Result<ext::InspectText> {
        handlers::inspect_text(self.worker.as_ref(), params).await
    }

    /// `window/workDoneProgress/cancel` (tower-lsp-server has no trait method for it).
    pub(crate) async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        handlers::progress_cancel(self.worker.as_ref(), params);
    }

    pub(crate) async fn query(&self, params: ext::QueryParams) -> Result<ext::QueryResult> {
        handlers::query(&self.state, self.worker.as_ref(), params).await
    }

    pub(crate) async fn debug_start(
        &self,
        params: ext::DebugStartParams,
    ) -> Result<ext::DebugStartResult> {
        handlers::debug_start(&self.state, self.worker.as_ref(), params).await
    }

    pub(crate) async fn debug_step(
        &self,
        params: ext::DebugStepParams,
    ) -> Result<ext::DebugStepResult> {
        handlers::debug_step(&self.state, self.worker.as_ref(), params).await
    }

    pub(crate) async fn debug_stop(&self, params: ext::DebugStopParams) -> Result<()> {
        handlers::debug_stop(&self.state, self.worker.as_ref(), params).await
    }
}

impl LanguageServer for YinServer {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(handlers::initialize(&self.state, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        handlers::initialized(&self.state, &self.client);
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shut_down();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::did_open(&self.state, &self.client, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::did_change(&self.state, &self.client, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::did_close(&self.state, params);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        handlers::diagnostic(&self.state, &self.client, params).await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        handlers::did_save(&self.state, &self.client, params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::did_change_watched_files(&self.state, &self.client, params);
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        handlers::document_symbol(&self.state, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        handlers::folding_range(&self.state, params).await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        handlers::selection_range(&self.state, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        handlers::semantic_tokens_full(&self.state, params).await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        handlers::semantic_tokens_full_delta(&self.state, params).await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        handlers::semantic_tokens_range(&self.state, params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting(&self.state, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_action(&self.state, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        handlers::prepare_rename(&self.state, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::rename(&self.state, params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        handlers::goto_definition(&self.state, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        handlers::references(&self.state, params).await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        handlers::document_highlight(&self.state, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover(&self.state, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        handlers::inlay_hint(&self.state, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion(&self.state, params).await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        handlers::signature_help(&self.state, params).await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        handlers::workspace_symbol(&self.state, params).await
    }
}
