package web

// returnsExamples fill every branch of /returns (open returns, urgent and not, more than shown, losses, closed
// with an auto-approval, filters set, and nothing at all) and of the alert settings page (the form with errors,
// and each state of the one-click page).
func returnsExamples() map[string][]any {
	shops := []shopOption{{ShopID: "1", Name: "Glow US", Selected: true}, {ShopID: "2", Name: "Glow UK"}}
	pick := []choice{{Value: "", Label: "Any"}, {Value: "X", Label: "X", Selected: true}}
	filled := alertSettingsView{Steps: "24, 12, 4, 1", QuietOn: true, QuietFrom: "22:00", QuietTo: "07:00", Email: true,
		Digest: true, Zone: "Europe/London", DigestHour: "08:00", ReturnsURL: "/returns", PreferencesURL: "/settings/preferences",
		DefaultStepsHours: "24, 12, 4, 1"}
	withErrors := filled
	withErrors.Flash = "Saved."
	withErrors.Errors = formErrors{Form: "Not saved.", Fields: map[string]string{"steps": "Bad steps.", "quiet": "Bad hours."}}
	oneClick := filled
	oneClick.OneClick, oneClick.Token = true, "7.abc"
	done, off, invalid, expired := oneClick, oneClick, oneClick, oneClick
	done.OneClickDone = true
	off.Email, off.QuietOn = false, false
	invalid.OneClickInvalid = true
	expired.OneClickExpired = true
	return map[string][]any{
		"returns": {
			returnsView{Zone: "UTC", AlertsURL: "/settings/alerts"},
			returnsView{Zone: "Europe/London", Shops: shops, Statuses: pick, Actions: pick, Reasons: pick, SKU: "TEE",
				ClearURL: "/returns", AlertsURL: "/settings/alerts", Now: 1773480000, More: true,
				Open: []openReturnRow{
					{ShopID: "1", ShopName: "Glow US", ReturnID: "4035", OrderID: "576", OrderURL: "/orders/1/576", Type: "Refund",
						Reason: "Damaged", Status: "Return or refund request pending", Action: "Respond to the refund request",
						Deadline: "Sat 14 Mar 10:00", DeadlineISO: "2026-03-14T10:00:00Z", DeadlineUnix: 1773482400, TimeLeft: "40 min",
						Urgent: true, Refund: "$21.60", CostOfApproving: "$27.40", CostParts: "Refund $20.00 + ...", CostMinor: 2740,
						SKUs: "TEE-BLK-M", SellerCenterURL: "https://seller-us.tiktok.com/order/return/detail?return_id=4035"},
					{ShopID: "2", ShopName: "Glow UK", ReturnID: "4036", OrderID: "577", OrderURL: "/orders/2/577", Type: "Return and refund",
						Action: "Confirm receipt of the returned parcel", Deadline: "Mon 16 Mar 10:00", TimeLeft: "2 d 0 h", Refund: "£10.00",
						CostOfApproving: "£10.20"}},
				Closed: []closedReturnRow{
					{ShopName: "Glow US", ReturnID: "4001", OrderID: "500", OrderURL: "/orders/1/500", Type: "Refund", Reason: "Wrong size",
						Outcome: "Return or refund request success", Updated: "1 Mar 2026 09:00", Refund: "$10.00", SKUs: "TEE", AutoApproved: true,
						SellerCenterURL: "https://seller-us.tiktok.com/order/return/detail?return_id=4001"},
					{ShopName: "Glow US", ReturnID: "4002", Outcome: "Refund or return request reject"}},
				Losses: []lossRow{{Month: "March 2026", Returns: 2, Amount: "$31.00"}}},
		},
		"alert_settings": {filled, withErrors, oneClick, done, off, invalid, expired},
	}
}
