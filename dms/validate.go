package dms

// ValidateParams checks a decoded parameter object (CreateOrder's
// PluginParam, or a data change's Param) against the catalog entry for
// pluginType the way DMS would: known keys only, required keys present,
// JSON types right, values valid. dbType reports the DbType of each
// database the object names ("" when unknown), so that the SQL is split and
// its statements' kinds checked, named by number, in the dialect of every
// database it will run on (a data change's DbItemList may mix MySQL and
// PostgreSQL).
func ValidateParams(pluginType string, raw map[string]any, dbType func(id int64) string) Problems {
	t, ps := FromPluginParam(Ticket{Type: pluginType}, raw)
	if len(ps) > 0 {
		return ps
	}
	if t.Database.ID != 0 {
		t.Database.DbType = dbType(t.Database.ID)
	}
	for i := range t.More {
		t.More[i].DbType = dbType(t.More[i].ID)
	}
	tt, _ := LookupType(pluginType)
	for _, f := range tt.Fields {
		if _, present := raw[f.Key]; !present || f.Check == nil {
			continue
		}
		for _, p := range f.Check(&t) {
			p.Key = f.Key // name the parameter's key, as DMS would
			ps = append(ps, p)
		}
	}
	return ps
}
