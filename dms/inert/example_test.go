package inert_test

import (
	"fmt"

	"dmsticket/dms/inert"
)

func ExampleLine() {
	schema := "shop\x1b]0;owned\x07\x1b[2J_prod\u202e"
	fmt.Printf("%q\n", inert.Line(schema))
	// Output: "shop_prod"
}

func ExampleVisible() {
	fmt.Println(inert.Visible("SELECT 1;\x1b[2J"))
	// Output: SELECT 1;␛[2J
}

func ExampleTruncate() {
	fmt.Println(inert.Truncate("prod_shop_orders_archive", 12))
	// Output: prod_shop_o…
}
