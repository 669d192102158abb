package dms

import (
	"context"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

var _ Service = (*Client)(nil)

// base extracts the common fields of an SDK response.
func base(requestID, code, msg string, success bool, status int, body []byte) baseResponse {
	return baseResponse{
		RequestID: requestID, ErrorCode: code, ErrorMessage: msg, Success: success, HTTPStatus: status,
		Empty: !success && code == "" && requestID == "" && len(strings.TrimSpace(string(body))) < 3,
	}
}

// ActiveTenant implements Service.
func (c *Client) ActiveTenant(ctx context.Context) (Tenant, error) {
	req := dmssdk.CreateGetUserActiveTenantRequest()
	resp, err := readCall(ctx, c, "GetUserActiveTenant", req, func(sc *dmssdk.Client) (*dmssdk.GetUserActiveTenantResponse, error) {
		return sc.GetUserActiveTenant(req)
	})
	if err != nil {
		return Tenant{}, err
	}
	return Tenant{ID: resp.Tenant.Tid, Name: resp.Tenant.TenantName, Status: resp.Tenant.Status}, nil
}

// Tenants implements Service.
func (c *Client) Tenants(ctx context.Context) ([]Tenant, error) {
	req := dmssdk.CreateListUserTenantsRequest()
	resp, err := readCall(ctx, c, "ListUserTenants", req, func(sc *dmssdk.Client) (*dmssdk.ListUserTenantsResponse, error) { return sc.ListUserTenants(req) })
	if err != nil {
		return nil, err
	}
	out := make([]Tenant, 0, len(resp.TenantList))
	for _, t := range resp.TenantList {
		out = append(out, Tenant{ID: t.Tid, Name: t.TenantName, Status: t.Status})
	}
	return out, nil
}

// SearchDatabases implements Service.
func (c *Client) SearchDatabases(ctx context.Context, q SearchQuery) (DatabasePage, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PageSize <= 0 {
		q.PageSize = 50
	}
	req := dmssdk.CreateSearchDatabaseRequest()
	req.Tid = tid(q.Tid)
	req.SearchKey = q.Key
	req.EnvType = string(q.Env)
	req.PageNumber = requests.NewInteger(q.Page)
	req.PageSize = requests.NewInteger(q.PageSize)
	req.SearchTarget = "DB"
	if q.Logic != nil {
		req.SearchTarget = "SINGLE_DB"
		if *q.Logic {
			req.SearchTarget = "LOGIC_DB"
		}
	}
	resp, err := readCall(ctx, c, "SearchDatabase", req, func(sc *dmssdk.Client) (*dmssdk.SearchDatabaseResponse, error) { return sc.SearchDatabase(req) })
	if err != nil {
		return DatabasePage{}, err
	}
	page := DatabasePage{Total: resp.TotalCount, Page: q.Page, PageSize: q.PageSize, RequestID: resp.RequestId}
	for _, d := range resp.SearchDatabaseList.SearchDatabase {
		id, err := strconv.ParseInt(strings.TrimSpace(d.DatabaseId), 10, 64)
		if err != nil {
			continue // a row without a usable ID cannot be ticketed
		}
		env, _ := ParseEnv(d.EnvType)
		page.Databases = append(page.Databases, Database{
			ID: id, Logic: d.Logic, SchemaName: d.SchemaName, SearchName: d.SearchName,
			Host: d.Host, Port: d.Port, DbType: d.DbType, Env: env, Alias: d.Alias,
		})
	}
	return page, nil
}

// Database implements Service.
func (c *Client) Database(ctx context.Context, tenant, id int64, logic bool) (Database, error) {
	if logic {
		req := dmssdk.CreateGetLogicDatabaseRequest()
		req.Tid = tid(tenant)
		req.DbId = strconv.FormatInt(id, 10)
		resp, err := readCall(ctx, c, "GetLogicDatabase", req, func(sc *dmssdk.Client) (*dmssdk.GetLogicDatabaseResponse, error) { return sc.GetLogicDatabase(req) })
		if err != nil {
			return Database{}, err
		}
		d := resp.LogicDatabase
		env, _ := ParseEnv(d.EnvType)
		return Database{ID: id, Logic: true, SchemaName: d.SchemaName, SearchName: d.SearchName, DbType: d.DbType, Env: env, Alias: d.Alias,
			Members: append([]int64{}, d.DatabaseIds.DatabaseIds...)}, nil
	}
	req := dmssdk.CreateGetPhysicalDatabaseRequest()
	req.Tid = tid(tenant)
	req.DbId = requests.NewInteger64(id)
	resp, err := readCall(ctx, c, "GetPhysicalDatabase", req, func(sc *dmssdk.Client) (*dmssdk.GetPhysicalDatabaseResponse, error) {
		return sc.GetPhysicalDatabase(req)
	})
	if err != nil {
		return Database{}, err
	}
	d := resp.Database
	env, _ := ParseEnv(d.EnvType)
	return Database{
		ID: id, SchemaName: d.SchemaName, SearchName: d.SearchName, Host: d.Host, Port: d.Port,
		DbType: d.DbType, Env: env, InstanceID: d.InstanceId, // InstanceAlias names the instance, not the database
	}, nil
}
