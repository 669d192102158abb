package dms

import dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

// setPluginParam puts PluginParam on a CreateOrder request as exactly the
// bytes of PluginParamJSON. Given the typed map field, v1.63 json.Marshals it
// and so sends <, > and & as \u003c, \u003e and \u0026 (dms-api.md 1.2); a
// form parameter set directly is sent as it is, and the typed field, left
// nil, adds nothing. A nil PluginParam sends nothing, as the SDK would.
func setPluginParam(req *dmssdk.CreateOrderRequest, pp map[string]any) {
	req.PluginParam = nil
	if pp == nil {
		delete(req.FormParams, "PluginParam")
		return
	}
	req.FormParams["PluginParam"] = PluginParamJSON(pp)
}
