/**
 * Lua for the registration store. A registration is a hash `reg:r:{id}` (j = JSON, v = version,
 * ep / addr / ident = the index entries it owns); `reg:ep`, `reg:addr`, `reg:ident` map index
 * values to ids and `reg:exp` orders ids by expiry time. An index entry is only removed by the
 * registration it points to, so a newer registration of the same address is never unlinked.
 * Versions come from one counter (`reg:ver`), so a version is never reused, not even by a
 * registration re-added under the same id: a node that remembers (version, value) may write
 * against that version without reading first.
 * Owners (cluster mode): `reg:owner` maps an endpoint to the node serving its device, and
 * `reg:owned:{node}` is the set of endpoints a node serves (counting is SCARD, not a scan). An add
 * or update made with an owner records it in the same script as the write; removing the
 * endpoint's registration removes its owner. A node that loses a device (another node took it,
 * or its registration was removed by another node or by expiry) is told on its channel
 * `reg:owner-lost:{node}` ("registration-id endpoint"), from the same script.
 */
import { RedisScript } from './redis-script';

const prelude = `
local P = ARGV[1]
local function unlink(index, value, id)
  if value and value ~= '' and redis.call('HGET', P .. index, value) == id then
    redis.call('HDEL', P .. index, value)
  end
end
-- The node writing (add / update / claim), so it is not told about its own changes.
local ME = ''
-- Tells a node it no longer serves the device of registration id (message "id endpoint").
local function tellLost(node, id, ep)
  if node ~= ME then redis.call('PUBLISH', P .. 'reg:owner-lost:' .. node, id .. ' ' .. ep) end
end
-- The node now serving the endpoint; returns the previous owner when that was another node.
local function own(ep, node, id)
  if node == '' then return false end
  local old = redis.call('HGET', P .. 'reg:owner', ep)
  if old == node then return false end
  if old then
    redis.call('SREM', P .. 'reg:owned:' .. old, ep)
    tellLost(old, id, ep)
  end
  redis.call('HSET', P .. 'reg:owner', ep, node)
  redis.call('SADD', P .. 'reg:owned:' .. node, ep)
  return old
end
local function disown(ep, id)
  local old = redis.call('HGET', P .. 'reg:owner', ep)
  if not old then return end
  redis.call('HDEL', P .. 'reg:owner', ep)
  redis.call('SREM', P .. 'reg:owned:' .. old, ep)
  tellLost(old, id, ep)
end
local function drop(id)
  local key = P .. 'reg:r:' .. id
  local f = redis.call('HMGET', key, 'j', 'ep', 'addr', 'ident')
  if not f[1] then return false end
  redis.call('DEL', key)
  redis.call('ZREM', P .. 'reg:exp', id)
  if f[2] and f[2] ~= '' and redis.call('HGET', P .. 'reg:ep', f[2]) == id then
    redis.call('HDEL', P .. 'reg:ep', f[2])
    disown(f[2], id)
  end
  unlink('reg:addr', f[3], id)
  unlink('reg:ident', f[4], id)
  return f[1]
end
local function link(index, value, id)
  if value ~= '' then redis.call('HSET', P .. index, value, id) end
end
`;

/**
 * ARGV: prefix, id, endpoint, json, address key, identity key, expiresAt, owner node ('' none)
 * -> {version, previous JSON or nil}.
 */
export const addScript = new RedisScript(`${prelude}
local id, ep, json, addr, ident, exp, owner = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
ME = owner
local previousId = redis.call('HGET', P .. 'reg:ep', ep)
local previous = false
if previousId then previous = drop(previousId) end
if previousId ~= id then drop(id) end
local v = redis.call('INCR', P .. 'reg:ver')
redis.call('HSET', P .. 'reg:r:' .. id, 'j', json, 'v', v, 'ep', ep, 'addr', addr, 'ident', ident)
link('reg:ep', ep, id)
link('reg:addr', addr, id)
link('reg:ident', ident, id)
redis.call('ZADD', P .. 'reg:exp', exp, id)
-- The previous registration (if any) was dropped with its owner above: nobody is taken from here.
own(ep, owner, id)
return {v, previous}
`);

/**
 * Compare-and-set of one registration. ARGV: prefix, id, expected version, json, address key,
 * identity key, expiresAt, owner node ('' none) -> {1, new version, previous owner or nil}
 * written, {0, current JSON, current version} the version moved on (the caller retries from the
 * value returned, no read needed), {-1} gone.
 */
export const updateScript = new RedisScript(`${prelude}
local id, version, json, addr, ident, exp, owner = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
ME = owner
local key = P .. 'reg:r:' .. id
local f = redis.call('HMGET', key, 'v', 'addr', 'ident', 'j', 'ep')
if not f[1] then return {-1} end
if f[1] ~= version then return {0, f[4], f[1]} end
if f[2] ~= addr then unlink('reg:addr', f[2], id) end
if f[3] ~= ident then unlink('reg:ident', f[3], id) end
link('reg:addr', addr, id)
link('reg:ident', ident, id)
local v = redis.call('INCR', P .. 'reg:ver')
redis.call('HSET', key, 'j', json, 'v', v, 'addr', addr, 'ident', ident)
redis.call('ZADD', P .. 'reg:exp', exp, id)
local previousOwner = false
if f[5] and redis.call('HGET', P .. 'reg:ep', f[5]) == id then previousOwner = own(f[5], owner, id) end
return {1, v, previousOwner}
`);

/**
 * A node takes over serving an endpoint (a failover noticed from its traffic). ARGV: prefix,
 * endpoint, node -> {1, previous owner (another node) or nil}, or {0} when the endpoint has no
 * registration (nothing to serve, nothing recorded).
 */
export const claimOwnerScript = new RedisScript(`${prelude}
local ep, node = ARGV[2], ARGV[3]
ME = node
local id = redis.call('HGET', P .. 'reg:ep', ep)
if not id then return {0} end
return {1, own(ep, node, id)}
`);

/** ARGV: prefix, id -> removed JSON or nil. */
export const removeScript = new RedisScript(`${prelude}
return drop(ARGV[2])
`);

/** ARGV: prefix, index name (reg:ep, reg:addr, reg:ident), value -> JSON or nil. */
export const getByIndexScript = new RedisScript(`
local P = ARGV[1]
local id = redis.call('HGET', P .. ARGV[2], ARGV[3])
if not id then return false end
return redis.call('HGET', P .. 'reg:r:' .. id, 'j')
`);

/** ARGV: prefix, threshold (exclusive), limit -> JSON of the registrations removed. */
export const takeExpiredScript = new RedisScript(`${prelude}
local ids = redis.call('ZRANGEBYSCORE', P .. 'reg:exp', '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', P .. 'reg:exp', id)
  local json = drop(id)
  if json then out[#out + 1] = json end
end
return out
`);
