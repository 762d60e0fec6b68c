-- The Lua module's own logic, without a server: settings merging, the root search, the lspconfig and
-- vim.lsp.config definitions, the trace printer, and the commands that setup() defines.
--   nvim --headless --clean -u NONE -c 'luafile tests/editors/nvim_module.lua'
-- Environment: FAULTLINE_SOURCE_DIR (the checkout). Exit status 0 means pass.

local failures = 0
local checks = 0

local function check(ok, what)
  checks = checks + 1
  if not ok then
    failures = failures + 1
    io.stderr:write('[nvim-module] FAIL: ' .. what .. '\n')
  end
end

local function equal(actual, expected, what)
  check(vim.deep_equal(actual, expected), what .. ': got ' .. vim.inspect(actual) .. ', expected ' .. vim.inspect(expected))
end

local source_dir = os.getenv('FAULTLINE_SOURCE_DIR')
if source_dir == nil or source_dir == '' then
  io.stderr:write('[nvim-module] FAIL: FAULTLINE_SOURCE_DIR is not set\n')
  vim.cmd('cquit! 1')
end
vim.opt.runtimepath:prepend(source_dir .. '/editors/nvim')

local server = require('faultline.server')
local root = require('faultline.root')
local json = require('faultline.json')

-- Settings: defaults, overrides, lists replaced whole, and the JSON the server receives.
local defaults = server.normalize_settings(nil)
equal(defaults, {
  probe = { enabled = true, budgetSeconds = 3, memoryLimitMB = 1024 },
  checks = { disabled = {} },
  logLevel = 'info',
}, 'default settings')
check(vim.json.encode(defaults.checks) == '{"disabled":[]}', 'an empty disabled list is sent as []')
local user = server.normalize_settings({ probe = { enabled = false }, checks = { disabled = { 'FL1', 'FL2' } } })
equal(user.probe, { enabled = false, budgetSeconds = 3, memoryLimitMB = 1024 }, 'probe override keeps the rest')
local changed = server.merge_settings(user, { checks = { disabled = { 'FL3' } }, probe = {}, logLevel = 'debug' })
equal(changed.checks.disabled, { 'FL3' }, 'a new disabled list replaces the old one')
equal(changed.probe, user.probe, 'an empty table changes nothing')
equal(changed.logLevel, 'debug', 'scalar override')
equal(user.checks.disabled, { 'FL1', 'FL2' }, 'merging does not modify its input')

-- Root: nearest folder with a marker, else the file's own folder.
local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. '/proj/src/pkg', 'p')
vim.fn.mkdir(tmp .. '/loose', 'p')
vim.fn.writefile({}, tmp .. '/proj/pyproject.toml')
vim.fn.writefile({}, tmp .. '/proj/src/pkg/train.py')
vim.fn.writefile({}, tmp .. '/loose/train.py')
local resolved_tmp = vim.loop.fs_realpath(tmp)
equal(vim.loop.fs_realpath(root.find(tmp .. '/proj/src/pkg/train.py', server.root_markers)), resolved_tmp .. '/proj', 'root from pyproject.toml')
vim.fn.writefile({}, tmp .. '/proj/src/requirements.txt')
equal(vim.loop.fs_realpath(root.find(tmp .. '/proj/src/pkg/train.py', server.root_markers)), resolved_tmp .. '/proj/src', 'the nearest marker wins')
-- /tmp has no marker above it on a normal machine; the script's own folder is the root then.
local loose = root.find(tmp .. '/loose/train.py', { 'a-marker-that-does-not-exist' })
equal(vim.loop.fs_realpath(loose), resolved_tmp .. '/loose', 'no marker: the file\'s folder')
equal(root.find('', server.root_markers), vim.loop.cwd(), 'unnamed buffer: the current directory')

-- The definitions: nvim-lspconfig's format and the lsp/faultline.lua file of Neovim 0.11.
local config = server.config({ cmd = { '/opt/faultline', 'lsp' }, settings = { logLevel = 'warning' } })
equal(config.cmd, { '/opt/faultline', 'lsp' }, 'cmd override')
equal(config.filetypes, { 'python' }, 'filetypes')
equal(config.root_markers, { 'pyproject.toml', 'setup.py', 'requirements.txt', '.git' }, 'root markers')
equal(config.init_options, config.settings, 'initializationOptions carry the settings')
equal(config.settings.logLevel, 'warning', 'settings override')
check(type(config.handlers['workspace/configuration']) == 'function', 'workspace/configuration is answered')
local lspconfig = server.lspconfig()
check(lspconfig.default_config.root_markers == nil and type(lspconfig.default_config.root_dir) == 'function',
  'lspconfig: root_dir function instead of markers')
equal(vim.loop.fs_realpath(lspconfig.default_config.root_dir(tmp .. '/proj/src/pkg/train.py')), resolved_tmp .. '/proj/src', 'lspconfig root_dir')
local native = dofile(source_dir .. '/editors/nvim/lsp/faultline.lua')
equal(native.cmd, { 'faultline', 'lsp' }, 'lsp/faultline.lua cmd')
equal(native.settings, defaults, 'lsp/faultline.lua settings')

-- The workspace/configuration handler answers from the client's settings.
local answer = config.handlers['workspace/configuration'](nil, { items = { { section = 'faultline' }, { section = 'other' }, {} } }, { client_id = -1 })
equal(answer, { {}, vim.NIL, {} }, 'configuration answer without a live client')

-- The trace printer: valid, indented, key-sorted JSON that reads back to the same value.
local trace = { status = 'ok', epochs = { { loss = 2.5, acc = 0.25 }, { loss = 1.25, acc = 0.5 } }, reason = vim.NIL, note = 'a "quoted"\nline' }
local text = json.pretty(trace)
equal(vim.json.decode(text), trace, 'pretty JSON decodes to the trace')
check(text:find('\n  "epochs": [\n', 1, true) ~= nil, 'pretty JSON is indented: ' .. text)

-- setup() defines the three commands and stays quiet when the binary is on PATH.
local messages = {}
vim.notify = function(message)
  table.insert(messages, message)
end
require('faultline').setup({ cmd = { 'true', 'lsp' } })
for _, name in ipairs({ 'FaultlineRunProbe', 'FaultlineShowTrace', 'FaultlineRestart' }) do
  check(vim.fn.exists(':' .. name) == 2, ':' .. name .. ' is defined')
end
equal(messages, {}, 'no complaint for an executable cmd')
require('faultline').setup({ cmd = { '/nonexistent/faultline', 'lsp' } })
check(#messages == 1 and messages[1]:find('not an executable', 1, true) ~= nil, 'a missing binary is reported: ' .. vim.inspect(messages))

vim.fn.delete(tmp, 'rf')
io.stderr:write(string.format('[nvim-module] %d passed, %d failed\n', checks - failures, failures))
vim.cmd(failures == 0 and 'qall!' or 'cquit! 1')
