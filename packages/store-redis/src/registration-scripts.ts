/**
 * Lua for the registration store. A registration is a hash `reg:r:{id}` (j = JSON, v = version,
 * ep / addr / ident = the index entries it owns); `reg:ep`, `reg:addr`, `reg:ident` map index
 * values to ids and `reg:exp` orders ids by expiry time. An index entry is only removed by the
 * registration it points to, so a newer registration of the same address is never unlinked.
 */
import { RedisScript } from './redis-script';

const prelude = `
local P = ARGV[1]
local function unlink(index, value, id)
  if value and value ~= '' and redis.call('HGET', P .. index, value) == id then
    redis.call('HDEL', P .. index, value)
  end
end
local function drop(id)
  local key = P .. 'reg:r:' .. id
  local f = redis.call('HMGET', key, 'j', 'ep', 'addr', 'ident')
  if not f[1] then return false end
  redis.call('DEL', key)
  redis.call('ZREM', P .. 'reg:exp', id)
  unlink('reg:ep', f[2], id)
  unlink('reg:addr', f[3], id)
  unlink('reg:ident', f[4], id)
  return f[1]
end
local function link(index, value, id)
  if value ~= '' then redis.call('HSET', P .. index, value, id) end
end
`;

/** ARGV: prefix, id, endpoint, json, address key, identity key, expiresAt -> previous JSON or nil. */
export const addScript = new RedisScript(`${prelude}
local id, ep, json, addr, ident, exp = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local previousId = redis.call('HGET', P .. 'reg:ep', ep)
local previous = false
if previousId then previous = drop(previousId) end
if previousId ~= id then drop(id) end
redis.call('HSET', P .. 'reg:r:' .. id, 'j', json, 'v', 1, 'ep', ep, 'addr', addr, 'ident', ident)
link('reg:ep', ep, id)
link('reg:addr', addr, id)
link('reg:ident', ident, id)
redis.call('ZADD', P .. 'reg:exp', exp, id)
return previous
`);

/**
 * Compare-and-set of one registration. ARGV: prefix, id, expected version, json, address key,
 * identity key, expiresAt -> 1 written, 0 version moved on (caller retries), -1 gone.
 */
export const updateScript = new RedisScript(`${prelude}
local id, version, json, addr, ident, exp = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = P .. 'reg:r:' .. id
local f = redis.call('HMGET', key, 'v', 'addr', 'ident')
if not f[1] then return -1 end
if f[1] ~= version then return 0 end
if f[2] ~= addr then unlink('reg:addr', f[2], id) end
if f[3] ~= ident then unlink('reg:ident', f[3], id) end
link('reg:addr', addr, id)
link('reg:ident', ident, id)
redis.call('HSET', key, 'j', json, 'addr', addr, 'ident', ident)
redis.call('HINCRBY', key, 'v', 1)
redis.call('ZADD', P .. 'reg:exp', exp, id)
return 1
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
