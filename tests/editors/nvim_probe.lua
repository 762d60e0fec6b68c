-- Headless Neovim against the real server with the probe on: :FaultlineRunProbe waits for the probe's
-- answer, then :FaultlineShowTrace opens the trace as JSON in a scratch window.
--   nvim --headless --clean -u NONE -n -i NONE FIXTURE.py -c 'luafile tests/editors/nvim_probe.lua'
-- Environment: FAULTLINE_BINARY, FAULTLINE_SOURCE_DIR. Exit status 0 means pass.
local S = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/nvim_session.lua')

local binary = S.env('FAULTLINE_BINARY')
local bufnr = S.start({ cmd = { binary, 'lsp' }, settings = { probe = { enabled = true, budgetSeconds = 3 } } })

S.notifications = {}
local started = vim.loop.hrtime()
vim.cmd('FaultlineRunProbe')
if not vim.wait(90000, function()
  return vim.tbl_contains(S.notifications, 'faultline: probe finished')
    or #vim.tbl_filter(function(m)
        return m:find('failed', 1, true) ~= nil
      end, S.notifications)
      > 0
end, 50) then
  S.finish(false, ':FaultlineRunProbe did not finish within 90 s')
end
if not vim.tbl_contains(S.notifications, 'faultline: probe finished') then
  S.finish(false, ':FaultlineRunProbe: ' .. table.concat(S.notifications, ' | '))
end
S.log(string.format('probe answered after %.1f s', (vim.loop.hrtime() - started) / 1e9))

local windows = #vim.api.nvim_list_wins()
vim.cmd('FaultlineShowTrace')
if not vim.wait(10000, function()
  return #vim.api.nvim_list_wins() > windows
end, 20) then
  S.finish(false, ':FaultlineShowTrace opened no window: ' .. table.concat(S.notifications, ' | '))
end
local trace_buf = vim.api.nvim_get_current_buf()
if trace_buf == bufnr or vim.bo[trace_buf].filetype ~= 'json' or vim.bo[trace_buf].buftype ~= 'nofile' then
  S.finish(false, 'the trace is not in a JSON scratch buffer')
end
local text = table.concat(vim.api.nvim_buf_get_lines(trace_buf, 0, -1, false), '\n')
local ok, trace = pcall(vim.json.decode, text)
if not ok or type(trace) ~= 'table' then
  S.finish(false, 'the trace window does not hold JSON: ' .. text:sub(1, 200))
end
local series = type(trace.series) == 'table' and trace.series or {}
local losses = type(series.train_loss) == 'table' and series.train_loss or {}
if #losses == 0 then
  S.finish(false, 'the trace has no train_loss series: ' .. text:sub(1, 300))
end
S.log(string.format('trace: status %s, %d epochs of train_loss, %d lines', tostring(trace.status), #losses,
  vim.api.nvim_buf_line_count(trace_buf)))
S.finish(true, 'run probe and show trace')
