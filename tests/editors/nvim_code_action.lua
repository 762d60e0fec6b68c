-- Headless Neovim (Debian's 0.7.2 in CI) against the real server, through editors/nvim as a user loads it:
--   nvim --headless --clean -u NONE FIXTURE.py -c 'luafile tests/editors/nvim_code_action.lua'
-- Environment: FAULTLINE_BINARY (the server), FAULTLINE_SOURCE_DIR (the checkout), FAULTLINE_EXPECTED (the
-- fixture's text after all fixes). Waits for faultline's diagnostics, hovers the flagged statement, applies
-- the preferred quick fix of each diagnostic through vim.lsp.buf.code_action() until none is left, then
-- compares the buffer with the expected text. Exit status 0 means pass.

local function log(message)
  io.stderr:write('[nvim-test] ' .. message .. '\n')
end

local function finish(ok, message)
  log((ok and 'PASS: ' or 'FAIL: ') .. message)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 50)
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == '' then
    finish(false, name .. ' is not set')
  end
  return value
end

local binary = env('FAULTLINE_BINARY')
local source_dir = env('FAULTLINE_SOURCE_DIR')
local expected_path = env('FAULTLINE_EXPECTED')
local bufnr = vim.api.nvim_get_current_buf()
if vim.api.nvim_buf_get_name(bufnr) == '' then
  finish(false, 'open the fixture as the file argument')
end

-- Count every publish so that "the diagnostics changed after my edit" can be told from stale state.
local publishes = 0
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  publishes = publishes + 1
  return default_publish(err, result, ctx, config)
end

local notifications = {}
vim.notify = function(message, level)
  table.insert(notifications, message)
  log('notify(' .. tostring(level) .. '): ' .. tostring(message))
end

-- As a user would: the plugin folder on the runtimepath, then setup(). The probe is off so that only the
-- static checks answer, which makes the expected fixes deterministic and the test fast.
vim.opt.runtimepath:prepend(source_dir .. '/editors/nvim')
require('faultline').setup({
  cmd = { binary, 'lsp' },
  settings = { probe = { enabled = false } },
})
-- -u NONE leaves filetype detection off; a user's config has it on.
vim.cmd('filetype on')
vim.cmd('filetype detect')
if vim.bo[bufnr].filetype ~= 'python' then
  finish(false, 'filetype is ' .. vim.bo[bufnr].filetype .. ', not python')
end

local function faultline_client()
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == 'faultline' then
      return client
    end
  end
  return nil
end

if not vim.wait(10000, function()
  local client = faultline_client()
  return client ~= nil and client.initialized == true
end, 50) then
  finish(false, 'the faultline client did not attach and initialize within 10 s')
end
log('attached: ' .. binary .. ' lsp')

local function faultline_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'faultline' then
      table.insert(found, d)
    end
  end
  table.sort(found, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return found
end

local function describe(d)
  local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
  local fault = type(data) == 'table' and data.fault or '?'
  return string.format('%d:%d %s [%s] %s', d.lnum + 1, d.col + 1, tostring(d.code), tostring(fault), d.message)
end

-- Diagnostics whose data lists fixes; a server that does not fill data gets the benefit of the doubt.
local function fixable(d)
  local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
  if type(data) ~= 'table' or data.fixes == nil then
    return true
  end
  return type(data.fixes) == 'table' and #data.fixes > 0
end

if not vim.wait(30000, function()
  return #faultline_diagnostics() > 0
end, 50) then
  finish(false, 'no faultline diagnostics within 30 s (publishes seen: ' .. publishes .. ')')
end
local initial = faultline_diagnostics()
for _, d in ipairs(initial) do
  log('diagnostic ' .. describe(d))
end

local function line_of(pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find(pattern, 1, true) then
      return i - 1
    end
  end
  finish(false, 'fixture has no line with ' .. pattern)
end

local softmax_line = line_of("Dense(1, activation='softmax')")
local flagged
for _, d in ipairs(initial) do
  if d.lnum <= softmax_line and softmax_line <= d.end_lnum then
    flagged = flagged or d
  end
end
if not flagged then
  finish(false, 'the softmax on the single output unit (line ' .. softmax_line + 1 .. ') is not flagged')
end

-- Hover where the squiggle starts explains the finding. Columns here are bytes; the fixture is ASCII, so
-- they equal the UTF-16 columns the request needs.
local hover_params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = flagged.lnum, character = flagged.col },
}
local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', hover_params, 5000) or {}
local hover_text = ''
for _, response in pairs(hover) do
  local contents = response.result and response.result.contents
  if type(contents) == 'table' then
    hover_text = hover_text .. (contents.value or table.concat(vim.tbl_flatten(contents), '\n'))
  elseif type(contents) == 'string' then
    hover_text = hover_text .. contents
  end
end
if hover_text == '' then
  finish(false, 'hover on line ' .. softmax_line + 1 .. ' returned nothing')
end
log('hover: ' .. (hover_text:gsub('\n', ' | ')):sub(1, 200))

-- The code action menu is vim.ui.select; the user picks the preferred quick fix.
local chosen
vim.ui.select = function(items, _, on_choice)
  local pick
  for _, item in ipairs(items) do
    local action = item[2]
    if action.kind == 'quickfix' and action.isPreferred then
      pick = item
      break
    end
  end
  if pick == nil then
    for _, item in ipairs(items) do
      if item[2].kind == 'quickfix' then
        pick = item
        break
      end
    end
  end
  chosen = pick and pick[2].title or false
  on_choice(pick)
end

local applied = {}
for round = 1, 6 do
  local pending = vim.tbl_filter(fixable, faultline_diagnostics())
  if #pending == 0 then
    break
  end
  if round == 6 then
    finish(false, 'diagnostics keep coming back after 5 fixes: ' .. describe(pending[1]))
  end
  local target = pending[1]
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  chosen = nil
  vim.lsp.buf.code_action()
  if not vim.wait(10000, function()
    return chosen ~= nil and (chosen == false or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick)
  end, 20) then
    finish(false, 'no code action was applied for ' .. describe(target))
  end
  if chosen == false then
    finish(false, 'no quickfix offered for ' .. describe(target))
  end
  log('applied "' .. chosen .. '" for ' .. describe(target))
  table.insert(applied, chosen)

  -- 0.7 sends didChange 150 ms after the edit; the server re-checks and publishes again.
  local seen = publishes
  local gone = vim.wait(15000, function()
    if publishes == seen then
      return false
    end
    for _, d in ipairs(faultline_diagnostics()) do
      if d.code == target.code and d.lnum == target.lnum then
        return false
      end
    end
    return true
  end, 20)
  if not gone then
    finish(false, 'after "' .. chosen .. '" the diagnostic is still there: ' .. describe(target))
  end
end

for _, d in ipairs(faultline_diagnostics()) do
  log('remaining (no fix offered) ' .. describe(d))
end

local actual = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
local file = io.open(expected_path, 'r')
if file == nil then
  finish(false, 'cannot read ' .. expected_path)
end
local expected = file:read('*a')
file:close()
if actual ~= expected then
  log('expected:\n' .. expected)
  log('actual:\n' .. actual)
  finish(false, 'buffer after ' .. #applied .. ' fixes differs from ' .. expected_path)
end
finish(true, #initial .. ' diagnostics, ' .. #applied .. ' fixes applied, buffer matches ' .. expected_path)
