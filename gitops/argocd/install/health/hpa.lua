-- Health of an autoscaling/v2 HorizontalPodAutoscaler, for Argo CD's argocd-cm key
-- resource.customizations.health.autoscaling_HorizontalPodAutoscaler (gitops/argocd/install/kustomization.yaml).
--
-- The built-in check of Argo CD v3.5.1 (gitops-engine/pkg/health/health_hpa.go), with one change: an HPA
-- that has no CPU metrics yet (ScalingActive False, FailedGetResourceMetric: Minikube's metrics-server scrapes
-- every 60 s, so new pods go a minute or two without a sample) is Progressing, not Degraded: in a sync of
-- several waves a resource that turns Degraded fails the sync (gitops-engine/pkg/sync/sync_context.go), and
-- every retry reruns the migration. Everything else is as built in: the other failures to scale are Degraded,
-- AbleToScale or ScalingLimited True is Healthy, anything else (no conditions yet) is Progressing.
-- (The same reason also means a pod without a CPU request, which would now stay Progressing rather than fail:
-- the policy rule app-resources keeps CPU requests on every app, and `make cluster` checks metrics-server.)
--
-- Argo CD runs this without the string library (no useOpenLibs): only base, table and os.time/os.date.
-- The objects are those of Argo CD's cache, in the preferred version autoscaling/v2 (status.conditions).

local DEGRADED = {
  AbleToScale = {FailedGetScale = true, FailedUpdateScale = true},
  ScalingActive = {
    FailedGetObjectMetric = true, FailedGetPodsMetric = true, FailedGetExternalMetric = true,
    FailedComputeMetricsReplicas = true, InvalidSelector = true,
  },
}

local conditions = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  conditions = obj.status.conditions
end

for _, condition in ipairs(conditions) do
  local reasons = DEGRADED[condition.type]
  if reasons ~= nil and reasons[condition.reason] then
    return {status = "Degraded", message = condition.message}
  end
end

for _, condition in ipairs(conditions) do
  if condition.type == "ScalingActive" and condition.reason == "FailedGetResourceMetric" then
    return {status = "Progressing", message = "Waiting for metrics: " .. tostring(condition.message)}
  end
end

for _, condition in ipairs(conditions) do
  if (condition.type == "AbleToScale" or condition.type == "ScalingLimited") and condition.status == "True" then
    return {status = "Healthy", message = condition.message}
  end
end

return {status = "Progressing", message = "Waiting to Autoscale"}
