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

// setParam puts a data change's Param on CreateDataCorrectOrder as one JSON
// string, the bytes of PluginParamJSON, instead of v1.63's flattened
// Param.X query fields: the typed Param left zero adds nothing (the SDK
// skips empty strings and a nil list), and a query parameter set directly is
// kept as it is.
func setParam(req *dmssdk.CreateDataCorrectOrderRequest, p map[string]any) {
	req.Param = dmssdk.CreateDataCorrectOrderParam{}
	if p == nil {
		delete(req.QueryParams, "Param")
		return
	}
	req.QueryParams["Param"] = PluginParamJSON(p)
}
