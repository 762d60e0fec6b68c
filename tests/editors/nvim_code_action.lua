-- Headless Neovim (Debian's 0.7.2 in CI) against the real server, through editors/nvim as a user loads it:
--   nvim --headless --clean -u NONE -n -i NONE FIXTURE.py -c 'luafile tests/editors/nvim_code_action.lua'
-- Environment: FAULTLINE_BINARY (the server), FAULTLINE_SOURCE_DIR (the checkout), FAULTLINE_EXPECTED (the
-- fixture's text after all fixes). Waits for faultline's diagnostics, hovers the flagged statement, applies
-- the preferred quick fix of each diagnostic through vim.lsp.buf.code_action() until none is left, then
-- compares the buffer with the expected text. Exit status 0 means pass.

local S = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/nvim_session.lua')
local log, finish = S.log, S.finish
local faultline_diagnostics = function()
  return S.diagnostics(vim.api.nvim_get_current_buf())
end
local describe = S.describe

local binary = S.env('FAULTLINE_BINARY')
local expected_path = S.env('FAULTLINE_EXPECTED')
-- The probe is off so that only the static checks answer, which makes the expected fixes deterministic and
-- the test fast.
local bufnr = S.start({ cmd = { binary, 'lsp' }, settings = { probe = { enabled = false } } })
log('attached: ' .. binary .. ' lsp')

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
  finish(false, 'no faultline diagnostics within 30 s (publishes seen: ' .. S.publishes .. ')')
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
  local seen = S.publishes
  local gone = S.wait_for_publish(seen, function()
    for _, d in ipairs(faultline_diagnostics()) do
      if d.code == target.code and d.lnum == target.lnum then
        return false
      end
    end
    return true
  end)
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
