package dmssim

// tenantJSON is the SDK's Tenant struct.
type tenantJSON struct {
	Tid        int64  `json:"Tid"`
	TenantName string `json:"TenantName"`
	Status     string `json:"Status"`
}

func (x *exchange) tenantJSON(t *tenant) tenantJSON {
	status := "IN_ACTIVE"
	if x.user.tenants[0] == t {
		status = "ACTIVE"
	}
	return tenantJSON{Tid: t.id, TenantName: t.name, Status: status}
}

// opGetUserActiveTenant answers GetUserActiveTenant: the user's active
// tenant, or the tenant Tid names if the user belongs to it.
func opGetUserActiveTenant(x *exchange) (any, *apiError) {
	t := x.tenant()
	if x.bad != nil {
		return nil, x.bad
	}
	return struct {
		Tenant tenantJSON `json:"Tenant"`
	}{x.tenantJSON(t)}, nil
}

// opListUserTenants answers ListUserTenants: every tenant the user belongs
// to, the active one first.
func opListUserTenants(x *exchange) (any, *apiError) {
	x.tenant() // Tid must name one of them, if given
	if x.bad != nil {
		return nil, x.bad
	}
	list := make([]tenantJSON, 0, len(x.user.tenants))
	for _, t := range x.user.tenants {
		list = append(list, x.tenantJSON(t))
	}
	return listOf("TenantList", list), nil
}
