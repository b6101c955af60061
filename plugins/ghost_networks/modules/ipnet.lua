-- Address arithmetic in plain Lua: parse IPv4/IPv6 addresses, test CIDR
-- membership, and name the /24 (IPv4) or /64 (IPv6) network of an address.
local M = {}

-- An address as a list of 16-bit groups (IPv4: 2 groups, IPv6: 8), or nil.
local function parse(ip)
   local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
   if a then
      a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
      if a > 255 or b > 255 or c > 255 or d > 255 then
         return nil
      end
      return { a * 256 + b, c * 256 + d }
   end
   if not ip:find(":") then
      return nil
   end
   -- IPv6: expand "::" to the missing zero groups.
   local head, tail = ip:match("^(.-)::(.*)$")
   local function groups(s)
      local g = {}
      for part in s:gmatch("[^:]+") do
         local v = tonumber(part, 16)
         if not v or #part > 4 then
            return nil
         end
         g[#g + 1] = v
      end
      return g
   end
   local out
   if head then
      local h, t = groups(head), groups(tail)
      if not h or not t or #h + #t > 7 then
         return nil
      end
      out = h
      for _ = 1, 8 - #h - #t do
         out[#out + 1] = 0
      end
      for _, v in ipairs(t) do
         out[#out + 1] = v
      end
   else
      out = groups(ip)
      if not out or #out ~= 8 then
         return nil
      end
   end
   return out
end

M.parse = parse

-- A parsed network { groups, bits } from "a.b.c.d/n" or "x::/n", or nil.
function M.network(cidr)
   local ip, bits = cidr:match("^(.+)/(%d+)$")
   local g = parse(ip or "")
   bits = tonumber(bits)
   if not g or not bits or bits > #g * 16 then
      return nil
   end
   return { groups = g, bits = bits }
end

-- True if the address (a string) lies in the parsed network.
function M.contains(net, ip)
   local g = parse(ip)
   if not g or #g ~= #net.groups then
      return false
   end
   local left = net.bits
   for i = 1, #g do
      if left <= 0 then
         return true
      end
      local take = math.min(left, 16)
      local mask = (0xffff << (16 - take)) & 0xffff
      if (g[i] & mask) ~= (net.groups[i] & mask) then
         return false
      end
      left = left - take
   end
   return true
end

-- "a.b.c.0/24" for an IPv4 address, its /64 ("fd00:1::/64") for an IPv6 one.
function M.subnet(ip)
   local g = parse(ip)
   if not g then
      return nil
   end
   if #g == 2 then
      return string.format("%d.%d.%d.0/24", g[1] >> 8, g[1] & 0xff, g[2] >> 8)
   end
   -- The first four groups, trailing zero groups folded into "::".
   local n = 4
   while n > 1 and g[n] == 0 do
      n = n - 1
   end
   local parts = {}
   for i = 1, n do
      parts[i] = string.format("%x", g[i])
   end
   local text = table.concat(parts, ":")
   return text .. "::/64"
end

return M
