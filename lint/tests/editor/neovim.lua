-- Drives `cargo asyncheck server` from headless Neovim 0.7+ (run by tests/editor_neovim.rs):
-- open a file, wait for its diagnostics, apply the quick fix, check the buffer text, then
-- introduce a new pitfall without saving and wait for it to be reported.
-- Every step that fails writes why to $ASYNCHECK_RESULT and exits with status 1.

local server = assert(os.getenv('ASYNCHECK_SERVER'))
local root = assert(os.getenv('ASYNCHECK_ROOT'))
local file = assert(os.getenv('ASYNCHECK_FILE'))
local result_path = assert(os.getenv('ASYNCHECK_RESULT'))

local function finish(status, message)
  local out = assert(io.open(result_path, 'w'))
  out:write(status .. ': ' .. message .. '\n')
  out:close()
  vim.cmd(status == 'ok' and 'qall!' or 'cquit! 1')
end

local function check(ok, message)
  if not ok then
    finish('fail', message)
    error(message)
  end
end

local function buffer_text()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') .. '\n'
end

local function describe(diagnostics)
  local parts = {}
  for _, d in ipairs(diagnostics) do
    table.insert(parts, string.format('%s at %d:%d', tostring(d.code), d.lnum + 1, d.col + 1))
  end
  return '[' .. table.concat(parts, ', ') .. ']'
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local client_id = vim.lsp.start_client({
  name = 'asyncheck',
  cmd = { server, 'server' },
  root_dir = root,
  init_options = { debounceMs = 0 },
})
check(client_id ~= nil, 'the language client did not start')
vim.lsp.buf_attach_client(0, client_id)

-- 1. The file's finding is published.
local found = vim.wait(30000, function() return #vim.diagnostic.get(0) == 1 end, 20)
check(found, 'no `blocking_sleep` diagnostic after opening; got ' .. describe(vim.diagnostic.get(0)))
local diagnostic = vim.diagnostic.get(0)[1]
check(diagnostic.code == 'blocking_sleep', 'unexpected diagnostic ' .. describe({ diagnostic }))
check(diagnostic.lnum == 1 and diagnostic.col == 4,
  'the diagnostic is not at line 2, column 5: ' .. describe({ diagnostic }))

-- 2. The preferred quick fix, applied as the editor applies it.
local params = vim.lsp.util.make_range_params()
params.range = {
  start = { line = diagnostic.lnum, character = diagnostic.col },
  ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
}
params.context = { diagnostics = {}, only = { 'quickfix' } }
local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 10000)
check(responses ~= nil and responses[client_id] ~= nil, 'no answer to `textDocument/codeAction`')
local preferred = nil
for _, action in ipairs(responses[client_id].result or {}) do
  if action.isPreferred then preferred = action end
end
check(preferred ~= nil, 'no preferred quick fix among the code actions')
vim.lsp.util.apply_workspace_edit(preferred.edit, 'utf-16')
local expected = 'async fn tick(d: std::time::Duration) {\n    tokio::time::sleep(d).await;\n}\n'
check(buffer_text() == expected, 'the fixed buffer is\n' .. buffer_text())
local cleared = vim.wait(30000, function() return #vim.diagnostic.get(0) == 0 end, 20)
check(cleared, 'the diagnostic stayed after the fix: ' .. describe(vim.diagnostic.get(0)))

-- 3. A new pitfall typed into the buffer, never saved, is reported.
vim.api.nvim_buf_set_lines(0, 2, 2, false, { '    std::fs::read_to_string("x").unwrap();' })
local reported = vim.wait(30000, function()
  local now = vim.diagnostic.get(0)
  return #now == 1 and now[1].code == 'blocking_io' and now[1].lnum == 2
end, 20)
check(reported, 'the unsaved pitfall was not reported; got ' .. describe(vim.diagnostic.get(0)))
check(vim.bo.modified, 'the buffer was saved, but the test is about unsaved text')

vim.lsp.stop_client(client_id)
finish('ok', 'diagnostics, quick fix and unsaved edit all seen')
