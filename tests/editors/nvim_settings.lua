-- Headless Neovim against the real server: the plugin's settings and commands.
--   nvim --headless --clean -u NONE -n -i NONE FIXTURE.py -c 'luafile tests/editors/nvim_settings.lua'
-- Environment: FAULTLINE_BINARY, FAULTLINE_SOURCE_DIR. The fixture has two static findings (FL111 on the
-- output activation, FL101 on the loss). setup() disables FL101 through initializationOptions; configure()
-- then changes the disabled list through workspace/didChangeConfiguration (including back to an empty list,
-- which must travel as []); :FaultlineShowTrace without a probe says so; :FaultlineRestart brings a new
-- server with the current settings. Exit status 0 means pass.
local S = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/nvim_session.lua')

local binary = S.env('FAULTLINE_BINARY')
local bufnr = S.start({
  cmd = { binary, 'lsp' },
  settings = { probe = { enabled = false }, checks = { disabled = { 'FL101' } } },
})
local plugin = require('faultline')

local function expect_codes(expected, why, seen)
  local ok
  if seen == nil then
    ok = vim.wait(30000, function()
      return S.publishes > 0 and S.codes(bufnr) == expected
    end, 20)
  else
    ok = S.wait_for_publish(seen, function()
      return S.codes(bufnr) == expected
    end, 15000)
  end
  if not ok then
    S.finish(false, why .. ": expected diagnostics '" .. expected .. "', have '" .. S.codes(bufnr) .. "'")
  end
  S.log(why .. ': ' .. (expected == '' and 'none' or expected))
end

expect_codes('FL111', 'FL101 disabled in setup()')

local seen = S.publishes
plugin.configure({ checks = { disabled = { 'FL101', 'FL111' } } })
expect_codes('', 'both disabled by configure()', seen)

seen = S.publishes
plugin.configure({ checks = { disabled = {} } })
expect_codes('FL111,FL101', 'none disabled by configure()', seen)

-- The probe is off, so there is no trace: the command must say so rather than open an empty window.
local windows = #vim.api.nvim_list_wins()
S.notifications = {}
vim.cmd('FaultlineShowTrace')
if not vim.wait(5000, function()
  return #S.notifications > 0
end, 20) then
  S.finish(false, ':FaultlineShowTrace gave no answer')
end
if not S.notifications[1]:find('no probe has run', 1, true) or #vim.api.nvim_list_wins() ~= windows then
  S.finish(false, ':FaultlineShowTrace without a trace: ' .. S.notifications[1])
end

-- A restart starts a new server that gets the settings in force now (nothing disabled).
local old = S.client(bufnr)
seen = S.publishes
vim.cmd('FaultlineRestart')
local new = S.wait_for_client(bufnr, old.id)
if not old.is_stopped() then
  S.finish(false, 'the old client is still running after :FaultlineRestart')
end
expect_codes('FL111,FL101', 'after :FaultlineRestart (client ' .. old.id .. ' -> ' .. new.id .. ')', seen)

S.finish(true, 'initializationOptions, didChangeConfiguration, show trace and restart behave')
