-- Argo CD health check for DynamoDBRestore (dynamodb.restore.dev/v1alpha1).
--   Healthy     - the restore completed: the table is ACTIVE.
--   Degraded    - the restore failed; the message is the operator's sentence saying what to do.
--   Progressing - the restore is being validated or restored, or the operator has not written a status yet.
local hs = { status = "Progressing", message = "Waiting for the operator to pick up the restore" }
if obj.status == nil or obj.status.phase == nil then
  return hs
end

local ready = nil
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end

local phase = obj.status.phase
if phase == "Completed" then
  hs.status = "Healthy"
  hs.message = (ready ~= nil and ready.message) or "Restore completed"
elseif phase == "Failed" then
  hs.status = "Degraded"
  if obj.status.lastError ~= nil and obj.status.lastError.message ~= nil then
    hs.message = obj.status.lastError.message
  else
    hs.message = (ready ~= nil and ready.message) or "Restore failed"
  end
else
  hs.status = "Progressing"
  hs.message = (ready ~= nil and ready.message) or phase
end
return hs
