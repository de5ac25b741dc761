-- Argo CD health check for DynamoDBRestoreSchedule (dynamodb.restore.dev/v1alpha1).
--   Healthy     - the schedule is valid and its newest finished run completed (or none has finished yet).
--   Degraded    - the schedule cannot run (InvalidSchedule, RestoreRefused, ConfigMapNotOwned) or its newest finished
--                 run failed (LastRunFailed); the message is the operator's sentence.
--   Progressing - the operator has not looked at this generation yet.
-- A suspended schedule is Suspended, as Argo CD shows a suspended CronJob.
local hs = { status = "Progressing", message = "Waiting for the operator to pick up the schedule" }
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "The schedule is suspended"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    if condition.status == "True" then
      hs.status = "Healthy"
    else
      hs.status = "Degraded"
    end
    hs.message = condition.message
  end
end
return hs
