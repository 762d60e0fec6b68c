-- Indented JSON for showing the probe trace: vim.json.encode writes one line, and 0.7 has no pretty printer.
local M = {}

-- vim.islist is 0.10's name; vim.tbl_islist is the only one before and deprecated after.
local is_list = vim.islist or vim.tbl_islist

local function encode(value, indent, out)
  local kind = type(value)
  if value == nil or value == vim.NIL then
    table.insert(out, 'null')
  elseif kind ~= 'table' then
    table.insert(out, vim.json.encode(value))
  elseif next(value) == nil then
    -- An empty Lua table lost whether it was [] or {}; the trace has no empty objects worth telling apart.
    table.insert(out, '[]')
  elseif is_list(value) then
    local inner = indent .. '  '
    table.insert(out, '[\n')
    for i, item in ipairs(value) do
      table.insert(out, inner)
      encode(item, inner, out)
      table.insert(out, i < #value and ',\n' or '\n')
    end
    table.insert(out, indent .. ']')
  else
    local keys = vim.tbl_keys(value)
    table.sort(keys, function(a, b)
      return tostring(a) < tostring(b)
    end)
    local inner = indent .. '  '
    table.insert(out, '{\n')
    for i, key in ipairs(keys) do
      table.insert(out, inner .. vim.json.encode(tostring(key)) .. ': ')
      encode(value[key], inner, out)
      table.insert(out, i < #keys and ',\n' or '\n')
    end
    table.insert(out, indent .. '}')
  end
end

function M.pretty(value)
  local out = {}
  encode(value, '', out)
  return table.concat(out)
end

return M
