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
	t, err := x.tenant()
	if err != nil {
		return nil, err
	}
	return struct {
		Tenant tenantJSON `json:"Tenant"`
	}{x.tenantJSON(t)}, nil
}

// opListUserTenants answers ListUserTenants: every tenant the user belongs
// to, the active one first.
func opListUserTenants(x *exchange) (any, *apiError) {
	if _, err := x.tenant(); err != nil {
		return nil, err
	}
	list := make([]tenantJSON, 0, len(x.user.tenants))
	for _, t := range x.user.tenants {
		list = append(list, x.tenantJSON(t))
	}
	return struct {
		TenantList []tenantJSON `json:"TenantList"`
	}{list}, nil
}
