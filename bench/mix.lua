-- The realistic mix (bench/mix.py): signed-in users, each with their own
-- session, cycle through their dashboard, the ask list, a random ask of their
-- campaigns and one of their campaign pages; every WRITE_EVERY-th request of a
-- user is a note posted to one of the asks they may edit, with the CSRF token
-- their ask page gave them.
--
-- Argument: the sessions file bench/mix.py writes, tab-separated lines:
--   user <TAB> Cookie header <TAB> CSRF token   (then that user's paths:)
--   ask <TAB> /asks/<pk>/      campaign <TAB> /campaigns/<slug>/      note <TAB> /asks/<pk>/note/

local WRITE_EVERY = 20
local SEQUENCE = { "/", "/asks/", "ask", "campaign" }

local users = {}
local counter = 0
-- Read by done() through thread:get, so globals of each thread.
writes, signed_out, unexpected = 0, 0, 0

local function load(path)
   local file = assert(io.open(path, "r"), "cannot open the sessions file " .. tostring(path))
   local user
   for line in file:lines() do
      local kind, first, second = line:match("^([^\t]+)\t([^\t]*)\t?([^\t]*)$")
      if kind == "user" then
         user = { cookie = first, csrf = second, ask = {}, campaign = {}, note = {}, step = 0 }
         table.insert(users, user)
      elseif kind and user and user[kind] then
         table.insert(user[kind], first)
      end
   end
   file:close()
   assert(#users > 0, "no users in " .. path)
end

local function any(list)
   return list[math.random(#list)]
end

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_number", thread_count)
   table.insert(threads, thread)
end

function init(args)
   load(args[1])
   math.randomseed(1000 + thread_number)
   -- Users start at different points of their cycle, so the writes are spread
   -- over the run rather than all coming at the 20th request of each.
   for _, user in ipairs(users) do
      user.step = math.random(WRITE_EVERY) - 1
   end
   -- Threads start at different users, so they do not move in step.
   counter = thread_number * 7
end

function request()
   counter = counter + 1
   local user = users[counter % #users + 1]
   user.step = user.step + 1
   local headers = { Cookie = user.cookie }
   if user.step % WRITE_EVERY == 0 and #user.note > 0 then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      local body = "csrfmiddlewaretoken=" .. user.csrf .. "&note=Bench+mix+note+" .. user.step
      return wrk.format("POST", any(user.note), headers, body)
   end
   local path = SEQUENCE[(user.step - 1) % #SEQUENCE + 1]
   if path == "ask" or path == "campaign" then
      path = any(user[path])
   end
   return wrk.format("GET", path, headers)
end

function response(status, headers, body)
   if status == 200 then
      return
   end
   local where = headers["Location"] or headers["location"] or ""
   if status == 302 and where:find("/asks/%d+/$") then
      writes = writes + 1 -- a note saved redirects to its ask
   elseif status == 302 and (where:find("/accounts/", 1, true) or where:find("two-factor", 1, true)) then
      signed_out = signed_out + 1
   else
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local totals = { writes = 0, signed_out = 0, unexpected = 0 }
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   io.write(string.format("mix: writes %d signed_out %d unexpected %d\n",
      totals.writes, totals.signed_out, totals.unexpected))
end
