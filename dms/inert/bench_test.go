package inert

import (
	"strings"
	"testing"
)

func BenchmarkLine(b *testing.B) {
	clean := "prod_shop_orders@rm-bp1example.mysql.rds.aliyuncs.com:3306 订单库"
	dirty := "prod_shop\x1b]0;pwned\x07_orders\x1b[2J@rm-bp1\u202eexample:3306"
	for _, c := range []struct{ name, s string }{{"clean", clean}, {"hostile", dirty}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				Line(c.s)
			}
		})
	}
}

func BenchmarkText(b *testing.B) {
	s := strings.Repeat("SELECT id,\tname FROM orders WHERE note = '订单';\r\n", 1000)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Text(s)
	}
}
